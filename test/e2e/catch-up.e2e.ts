import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait.ts";
import type { GitClone } from "./support/git-clone.ts";
import { FINAL, openPull, statuses, testmeSettings, waitStatus } from "./support/recipes.ts";
import { World } from "./support/world.ts";

// Scenario 5: Gitea never retries. What happened while the bot was down is found by the
// catch-up sweep at the next start, and processed exactly once.
const w = new World();
const R = "recipe-late";
const b = `b-${w.tag}`;
const a = `a-${w.tag}`;
let loop: GitClone;

const logged = (text: string) => (w.bot?.logs ?? []).some((l) => l.includes(text));

beforeAll(async () => {
  await w.create({ recipes: [R], loops: ["loop"] });
  for (const s of [b, a]) await w.agents.start(s);
  w.writeConfig({
    ...testmeSettings(w),
    loops: [{ name: "late", repo: w.repo("loop"), sessions: { builder: { session: b, start: w.agents.argv(b) }, adversary: { session: a, start: w.agents.argv(a) } } }],
  });
  await w.startBot();
  loop = w.clone("loop");
  await waitFor(() => logged("loop baseline recorded"), "the loop's baseline");
  await waitFor(() => logged("catch-up sweep of comments done"), "the first start recorded by a comment sweep");
});
afterAll(() => w.close());

describe("catch-up after the bot was down", () => {
  it("runs a !testme and pings a claim that Gitea could not deliver, each once", async () => {
    const pr = await openPull(w, R, "pass-late");
    await w.stopBot();
    // Gitea tries to deliver both to a closed port and gives up for good.
    await w.as("maintainer").comment(w.repo(R), pr.number, "!testme");
    const claim = loop.commit("claim(gate-7): pushed while the bot was down");
    loop.push();

    await w.startBot();
    await waitFor(() => logged("catch-up: a !testme no delivery brought, queued"), "the sweep to find the comment");
    await waitFor(() => logged("catch-up: commits no delivery announced"), "the sweep to find the push");
    expect((await waitStatus(w, R, pr.sha, "the caught-up run's verdict", FINAL)).state).toBe("success");
    await waitFor(() => w.agents.received(a).length === 1, "the caught-up claim ping");
    expect(w.agents.received(a)).toEqual([`[cc-ci-bot] late: ${claim.slice(0, 7)} claim(gate-7): pushed while the bot was down`]);

    // Another start sweeps the same comments and commits again: nothing happens twice.
    await w.stopBot();
    await w.startBot();
    await waitFor(() => logged("catch-up sweep of comments done") && logged("catch-up sweep of loop repos done"), "the next start's sweeps");
    expect((await statuses(w, R, pr.sha)).filter(FINAL)).toHaveLength(1);
    expect(w.agents.received(a)).toHaveLength(1);
    expect(w.agents.received(b)).toEqual([]);
  });
});
