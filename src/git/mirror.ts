import { existsSync, mkdirSync } from "node:fs";
import { simpleGit, type SimpleGit } from "simple-git";

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
 * here at a pushed commit, never from a working copy (SPEC §2.7). Gitea lists at most five
 * commits in a push payload; the mirror gives the whole range.
 */
export class Mirror {
  private readonly git: SimpleGit;
  private ready = false;
  /** Operations on one mirror run one at a time (a fetch and a sweep must not race on refs). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: MirrorOptions) {
    mkdirSync(o.dir, { recursive: true });
    // A minimal environment: nothing of the bot's own (editors, pagers, askpass) reaches git.
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", GIT_TERMINAL_PROMPT: "0" };
    if (o.token) {
      Object.assign(env, { GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "http.extraHeader", GIT_CONFIG_VALUE_0: `Authorization: token ${o.token}` });
    }
    // simple-git guards git's environment variables; these are the ones set on purpose here.
    const allowEnvironment = ["GIT_TERMINAL_PROMPT", "GIT_CONFIG_COUNT", "GIT_CONFIG_KEY_0", "GIT_CONFIG_VALUE_0"];
    this.git = simpleGit({ baseDir: o.dir, timeout: { block: 120_000 }, allowEnvironment }).env(env);
  }

  /** Fetches the branch; returns its head. */
  fetch(): Promise<string> {
    return this.serial(() => this.doFetch());
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async doFetch(): Promise<string> {
    if (!this.ready) {
      if (!existsSync(`${this.o.dir}/HEAD`)) await this.git.raw(["init", "--bare", "--quiet"]);
      this.ready = true;
    }
    const ref = `refs/heads/${this.o.branch}`;
    await this.git.raw(["fetch", "--quiet", "--no-tags", "--force", this.o.url, `+${ref}:${ref}`]);
    return (await this.git.raw(["rev-parse", ref])).trim();
  }

  /** Whether `ancestor` is reachable from `descendant` (false when either is unknown here). */
  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    try {
      // Nothing reachable from `ancestor` that `descendant` lacks. (merge-base --is-ancestor
      // answers by exit status, which simple-git does not report when stderr is empty.)
      return (await this.git.raw(["rev-list", "-n", "1", ancestor, `^${descendant}`, "--"])).trim() === "";
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
    try {
      return await this.git.raw(["show", `${sha}:${path}`]);
    } catch {
      return null;
    }
  }
}
