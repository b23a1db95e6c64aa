import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Credentials } from "./gitea-api.ts";

const ENV = {
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: process.env.HOME ?? "/tmp",
  GIT_TERMINAL_PROMPT: "0",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_AUTHOR_NAME: "Agent",
  GIT_AUTHOR_EMAIL: "agent@example.test",
  GIT_COMMITTER_NAME: "Agent",
  GIT_COMMITTER_EMAIL: "agent@example.test",
};

/** A working clone of a repo on the real Gitea, pushed to over HTTP with the user's password. */
export class GitClone {
  constructor(readonly dir: string) {}

  static clone(giteaUrl: string, repo: string, as: Credentials, dir: string): GitClone {
    const u = new URL(`${giteaUrl}/${repo}.git`);
    u.username = as.user;
    u.password = as.password;
    mkdirSync(dirname(dir), { recursive: true });
    execFileSync("git", ["clone", "--quiet", u.toString(), dir], { env: ENV, stdio: ["ignore", "pipe", "pipe"] });
    return new GitClone(dir);
  }

  git(...args: string[]): string {
    return execFileSync("git", args, { cwd: this.dir, env: ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  }

  head(): string {
    return this.git("rev-parse", "HEAD");
  }

  /** One commit with these files (null deletes), or an empty one. */
  commit(subject: string, files: Record<string, string | null> = {}): string {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      if (content === null) {
        rmSync(full);
        this.git("rm", "--quiet", "--cached", path);
      } else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
        this.git("add", path);
      }
    }
    this.git("commit", "--quiet", "--allow-empty", "-m", subject);
    return this.head();
  }

  push(branch = "main", force = false): void {
    this.git("push", "--quiet", ...(force ? ["--force"] : []), "origin", `HEAD:refs/heads/${branch}`);
  }
}
