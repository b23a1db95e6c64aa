import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { EmuCommit } from "../emulator/entities.ts";

const ENV = { ...process.env, GIT_AUTHOR_NAME: "Agent", GIT_AUTHOR_EMAIL: "agent@example.test", GIT_COMMITTER_NAME: "Agent", GIT_COMMITTER_EMAIL: "agent@example.test" };

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

export interface CommitSpec {
  subject: string;
  /** path -> content, or null to delete. */
  files?: Record<string, string | null>;
}

/** A bare repo (what Gitea holds) and a clone that commits and pushes to it (an agent): for the demo, tests and benchmarks. */
export class LoopRepo {
  readonly bare: string;
  readonly work: string;

  constructor(dir: string, readonly branch = "main") {
    this.bare = join(dir, "origin.git");
    this.work = join(dir, "work");
    mkdirSync(dir, { recursive: true });
    git(dir, "init", "--quiet", "--bare", "-b", branch, this.bare);
    git(dir, "clone", "--quiet", this.bare, this.work);
    git(this.work, "checkout", "--quiet", "-b", branch);
    this.commit({ subject: "initial", files: { "README.md": "loop\n" } });
    git(this.work, "push", "--quiet", "origin", branch);
  }

  head(): string {
    return git(this.work, "rev-parse", "HEAD");
  }

  /** Makes commits (oldest first) without pushing; returns them as a push payload lists them. */
  commit(...specs: CommitSpec[]): EmuCommit[] {
    const made: EmuCommit[] = [];
    specs.forEach((s, i) => {
      const added: string[] = [];
      const modified: string[] = [];
      const removed: string[] = [];
      const files = s.files ?? { [`notes/${Date.now()}-${i}-${Math.random().toString(36).slice(2)}.md`]: s.subject };
      for (const [path, content] of Object.entries(files)) {
        const full = join(this.work, path);
        if (content === null) {
          rmSync(full);
          removed.push(path);
          git(this.work, "rm", "--quiet", "--cached", path);
          continue;
        }
        let existed = true;
        try {
          git(this.work, "cat-file", "-e", `HEAD:${path}`);
        } catch {
          existed = false;
        }
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
        git(this.work, "add", path);
        (existed ? modified : added).push(path);
      }
      git(this.work, "commit", "--quiet", "--allow-empty", "-m", s.subject);
      made.push({ sha: this.head(), message: s.subject, added, modified, removed, timestamp: new Date().toISOString() });
    });
    return made;
  }

  push(force = false): void {
    git(this.work, "push", "--quiet", ...(force ? ["--force"] : []), "origin", this.branch);
  }

  /** Rewrites the last `n` commits (a force-push scenario); returns the new commits. */
  rewrite(n: number, ...specs: CommitSpec[]): EmuCommit[] {
    git(this.work, "reset", "--quiet", "--hard", `HEAD~${n}`);
    return this.commit(...specs);
  }
}
