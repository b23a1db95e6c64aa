import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** A configuration for a bot process under benchmark, beside the emulated Gitea at `giteaUrl`. */
export function writeBotConfig(dir: string, giteaUrl: string, secret: string, extra: Record<string, unknown>): string {
  const path = join(dir, "cc-ci-bot.yaml");
  writeFileSync(
    path,
    JSON.stringify({
      gitea: { url: giteaUrl, token: "bench-token", botUser: "ci-bot" },
      webhook: { secrets: [secret] },
      server: { port: 0, host: "127.0.0.1" },
      dataDir: join(dir, "data"),
      ...extra,
    }),
  );
  return path;
}
