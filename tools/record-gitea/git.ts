import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Redactor } from "./redact.ts";

export interface GitIdentity {
  user: string;
  password: string;
  /** Commit author and committer. */
  name: string;
  email: string;
}

/**
 * `git` child processes (argv arrays, never a shell) in one temp folder removed by `remove`.
 * Pushes authenticate with a basic-auth header passed through git's environment config, so
 * no URL, argv or printed line carries the password; prompts are off.
 */
export class GitWorkspace {
  readonly root = mkdtempSync(join(tmpdir(), "record-gitea-git-"));

  constructor(
    private readonly as: GitIdentity,
    private readonly redact: Redactor,
  ) {}

  private env(): NodeJS.ProcessEnv {
    const auth = Buffer.from(`${this.as.user}:${this.as.password}`).toString("base64");
    return {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: this.root,
      LANG: "C",
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_AUTHOR_NAME: this.as.name,
      GIT_AUTHOR_EMAIL: this.as.email,
      GIT_COMMITTER_NAME: this.as.name,
      GIT_COMMITTER_EMAIL: this.as.email,
      GIT_CONFIG_COUNT: "2",
      GIT_CONFIG_KEY_0: "http.extraHeader",
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${auth}`,
      GIT_CONFIG_KEY_1: "credential.helper",
      GIT_CONFIG_VALUE_1: "",
    };
  }

  /** Runs git in `cwd`; a failure is one line with git's own message, secrets redacted. */
  run(cwd: string, args: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile("git", args, { cwd, env: this.env(), encoding: "utf8", maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout.trim());
        const why = (stderr || err.message).trim().split("\n").filter(Boolean).at(-1) ?? "failed";
        reject(new Error(this.redact.text(`git ${args[0] ?? ""} failed: ${why}`)));
      });
    });
  }

  /** Refuses a git too old for credentials through its environment (GIT_CONFIG_COUNT, git >= 2.31). */
  async check(): Promise<void> {
    const v = /(\d+)\.(\d+)/.exec(await this.run(this.root, ["--version"]));
    const [major, minor] = [Number(v?.[1] ?? 0), Number(v?.[2] ?? 0)];
    if (major < 2 || (major === 2 && minor < 31)) throw new Error(`git ${v?.[0] ?? "?"} is too old: the recorder needs git >= 2.31`);
  }

  /** Clones `url` (no credentials in it) into a new folder of the workspace. */
  async clone(url: string, name: string): Promise<Clone> {
    const dir = join(this.root, name);
    await this.run(this.root, ["clone", "--quiet", url, dir]);
    return new Clone(this, dir);
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** One working copy. */
export class Clone {
  constructor(
    private readonly ws: GitWorkspace,
    readonly dir: string,
  ) {}

  git(...args: string[]): Promise<string> {
    return this.ws.run(this.dir, args);
  }

  /** A commit writing these files (path -> content). */
  async commit(message: string, files: Record<string, string> = {}): Promise<string> {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, content);
      await this.git("add", "--", path);
    }
    await this.git("commit", "--quiet", "--allow-empty", "-m", message);
    return this.git("rev-parse", "HEAD");
  }

  /** The branch `name` at the remote's `from`, checked out. */
  async branchFrom(name: string, from = "origin/main"): Promise<void> {
    await this.git("fetch", "--quiet", "origin");
    await this.git("checkout", "--quiet", "-B", name, from);
  }
}
