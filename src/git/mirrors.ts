import { join } from "node:path";
import type { LoopConfig } from "../config/schema.ts";
import { Mirror } from "./mirror.ts";

/** One mirror per loop repo, under `<dataDir>/mirrors`. */
export class Mirrors {
  private readonly byLoop = new Map<string, Mirror>();

  constructor(
    private readonly dataDir: string,
    private readonly giteaUrl: string,
    private readonly token: string,
  ) {}

  /** Ends the mirrors' long-running git readers (the bot is stopping). */
  close(): void {
    for (const m of this.byLoop.values()) m.close();
  }

  for(loop: LoopConfig): Mirror {
    let m = this.byLoop.get(loop.name);
    if (!m) {
      const url = loop.cloneUrl ?? `${this.giteaUrl}/${loop.repo}.git`;
      // The token goes only to the configured Gitea, never to another host named in cloneUrl.
      const token = url.startsWith(`${this.giteaUrl}/`) ? this.token : undefined;
      m = new Mirror({ dir: join(this.dataDir, "mirrors", `${loop.repo.replace("/", "__")}.git`), url, branch: loop.branch, token });
      this.byLoop.set(loop.name, m);
    }
    return m;
  }
}
