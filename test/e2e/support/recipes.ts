import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../../support/wait.ts";
import type { World } from "./world.ts";

export type Status = { id: number; state: string; context: string; description: string; target_url: string };

/** `!testme` settings for a world whose recipe repos are `recipe-*`, with the scriptable runner (its behaviour named by the PR branch). */
export function testmeSettings(w: World, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    testme: {
      repos: [`${w.org}/recipe-*`],
      trust: { orgs: [w.org], users: [], collaborators: true },
      runner: { command: [process.execPath, new URL("../../support/runner.mjs", import.meta.url).pathname, "by-ref"], capacity: 2, graceSeconds: 1 },
      ...extra,
    },
  };
}

/** A PR from a new branch (its first word picks the runner's behaviour: pass, fail, hold). */
export async function openPull(w: World, recipe: string, branch: string): Promise<{ number: number; sha: string; push: (subject: string) => string }> {
  const clone = w.clone(recipe);
  clone.git("checkout", "--quiet", "-b", branch);
  clone.commit(`change on ${branch}`, { [`${branch}.txt`]: `${branch}\n` });
  clone.push(branch);
  const pr = await w.as("maintainer").createPull(w.repo(recipe), branch, `PR ${branch}`);
  return {
    ...pr,
    push(subject: string) {
      const sha = clone.commit(subject, { [`${branch}.txt`]: `${subject}\n` });
      clone.push(branch);
      return sha;
    },
  };
}

/** The statuses of a commit in our context, oldest first, read from the real Gitea. */
export async function statuses(w: World, recipe: string, sha: string): Promise<Status[]> {
  return (await w.admin.statuses(w.repo(recipe), sha)).filter((s) => s.context === "cc-ci/testme");
}

export async function waitStatus(w: World, recipe: string, sha: string, what: string, match: (s: Status) => boolean, timeoutMs = 30_000): Promise<Status> {
  return waitFor(async () => (await statuses(w, recipe, sha)).find(match), what, timeoutMs);
}

export const FINAL = (s: Status) => s.state !== "pending";

/** The bot's comments on a PR. */
export async function botComments(w: World, recipe: string, pr: number) {
  return (await w.admin.comments(w.repo(recipe), pr)).filter((c) => c.user.login === w.users.bot.user);
}

/** Lets a `hold` run finish with this exit code. */
export async function release(w: World, runId: number, exitCode = 0): Promise<void> {
  const dir = join(w.dir, "data", "runs", String(runId));
  await waitFor(() => existsSync(join(dir, "runner.pid")), `run ${runId}'s runner to start`);
  writeFileSync(join(dir, "release"), String(exitCode));
}

/** The run id a status links to (`target_url` is the run page). */
export function runIdOf(s: Status): number {
  const m = /\/runs\/(\d+)$/.exec(s.target_url);
  if (!m) throw new Error(`status target_url is not a run page: ${s.target_url}`);
  return Number(m[1]);
}
