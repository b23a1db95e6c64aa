import { existsSync, mkdirSync } from "node:fs";
import { execa } from "execa";
import { simpleGit, type SimpleGit } from "simple-git";
import { baseChildEnv } from "../util/child-env.ts";
import { CatFile } from "./cat-file.ts";

export interface MirrorCommit {
  sha: string;
  subject: string;
  /** Paths added or modified by the commit (what an inbox ping cares about). */
  touched: string[];
  deleted: string[];
}

export const ZERO_SHA = /^0+$/;

export interface MirrorOptions {
  /** Where the bare mirror lives. */
  dir: string;
  url: string;
  branch: string;
  /** Sent as an HTTP header through the environment: never on argv, never in a URL. */
  token?: string | undefined;
}

/**
 * A local bare mirror of one branch of a loop repo. Everything the relay reads comes from
 * here at a pushed commit, never from a working copy (docs/design.md#handoff-relay). Gitea lists at most five
 * commits in a push payload; the mirror gives the whole range.
 */
export class Mirror {
  private readonly git: SimpleGit;
  /** The fetch's environment: the only git command that talks to the forge, and so the only one given the token. */
  private readonly fetchEnv: Record<string, string>;
  private ready = false;
  /** Object reads (show, mustHave) through one long-running `git cat-file --batch`, without the token. */
  private readonly objects: CatFile;
  /** Operations on one mirror run one at a time (a fetch and a sweep must not race on refs). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: MirrorOptions) {
    mkdirSync(o.dir, { recursive: true });
    // A minimal environment: nothing of the bot's own (editors, pagers, askpass) reaches git.
    const env: Record<string, string> = { ...baseChildEnv(), GIT_TERMINAL_PROMPT: "0" };
    // Local reads (log, show, rev-list) go through simple-git without the token. simple-git 4
    // refuses any command whose environment sets GIT_CONFIG_COUNT ("allowUnsafeConfigEnvCount"),
    // which is how the token reaches git: keeping it to the fetch, run with execa, needs no
    // unsafe switch and keeps the token away from commands that do not need it.
    this.objects = new CatFile(o.dir, env);
    this.git = simpleGit({ baseDir: o.dir, timeout: { block: 120_000 }, allowEnvironment: ["GIT_TERMINAL_PROMPT"] }).env(env);
    this.fetchEnv = o.token
      ? { ...env, GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.extraHeader", GIT_CONFIG_VALUE_0: `Authorization: token ${o.token}` }
      : env;
  }

  /** Fetches the branch. */
  fetch(): Promise<void> {
    return this.serial(() => this.doFetch());
  }

  /** Fetches the branch and returns its head. */
  fetchHead(): Promise<string> {
    return this.serial(async () => {
      await this.doFetch();
      return (await this.git.raw(["rev-parse", `refs/heads/${this.o.branch}`])).trim();
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async doFetch(): Promise<void> {
    if (!this.ready) {
      if (!existsSync(`${this.o.dir}/HEAD`)) await this.git.raw(["init", "--bare", "--quiet"]);
      this.ready = true;
    }
    const ref = `refs/heads/${this.o.branch}`;
    // The fetch sits on the path from a push to its ping, and through simple-git it took
    // ~64 ms against ~11 ms run directly (measured on a local bare repo): run it with execa.
    const r = await execa("git", ["fetch", "--quiet", "--no-tags", "--force", "--no-write-fetch-head", this.o.url, `+${ref}:${ref}`], {
      cwd: this.o.dir,
      env: this.fetchEnv,
      extendEnv: false,
      reject: false,
      timeout: 120_000,
    });
    if (r.exitCode !== 0) throw new Error(`git fetch of ${this.o.branch} failed: ${(r.stderr || `exit ${r.exitCode}`).split("\n")[0]}`);
  }

  /**
   * Throws when the mirror lacks a commit a push named, after fetching: the loop's clone URL
   * is then not the repo Gitea pushed to (or the branch moved on by a force push). Without
   * this, a missing commit would read as "not an ancestor" and raise a false force-push alert.
   */
  async mustHave(sha: string): Promise<void> {
    if ((await this.objects.read(`${sha}^{commit}`)) === null) {
      throw new Error(`the mirror of ${this.o.branch} has no commit ${sha} after fetching: is the loop's cloneUrl the repo Gitea pushed to?`);
    }
  }

  /** Whether `ancestor` is reachable from `descendant` (false when either is unknown here). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      // Nothing reachable from `ancestor` that `descendant` lacks. Counted rather than listed:
      // merge-base --is-ancestor answers by exit status, which simple-git does not report when
      // stderr is empty, and a command with no output at all costs ~50 ms more through it.
      return (await this.git.raw(["rev-list", "--count", ancestor, `^${descendant}`, "--"])).trim() === "0";
    } catch {
      return false;
    }
  }

  /**
   * The commits reachable from `head` and from none of `exclude`, oldest first, with the
   * paths each touched. One `git log` whatever the length of the range.
   */
  async commits(head: string, exclude: string[]): Promise<MirrorCommit[]> {
    const not = exclude.filter((s) => !ZERO_SHA.test(s)).map((s) => `^${s}`);
    const out = await this.git.raw(["log", "--reverse", "--no-renames", "--format=%x1e%H%x1f%s", "--name-status", head, ...not, "--"]);
    const commits: MirrorCommit[] = [];
    for (const block of out.split("\x1e")) {
      if (!block.trim()) continue;
      const [header = "", ...files] = block.split("\n");
      const [sha = "", subject = ""] = header.split("\x1f");
      const c: MirrorCommit = { sha, subject, touched: [], deleted: [] };
      for (const line of files) {
        const [status, path] = line.split("\t");
        if (!status || path === undefined) continue;
        (status.startsWith("D") ? c.deleted : c.touched).push(path);
      }
      commits.push(c);
    }
    return commits;
  }

  /** A file's content at a commit, or null when it does not exist there. */
  async show(sha: string, path: string): Promise<string | null> {
    const content = await this.objects.read(`${sha}:${path}`);
    return content === null ? null : content.toString("utf8");
  }

  /** Ends the object reader (it is started again on the next read). */
  close(): void {
    this.objects.close();
  }
}
