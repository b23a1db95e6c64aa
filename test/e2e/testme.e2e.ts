import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESULT_MARKER } from "../../src/runs/report.ts";
import { waitFor } from "../support/wait.ts";
import { botComments, FINAL, openPull, release, runIdOf, statuses, testmeSettings, waitStatus } from "./support/recipes.ts";
import { World } from "./support/world.ts";

// Scenarios 2 and 3: `!testme` on real PRs, commented by real users, read back from Gitea.
const w = new World();
const R = "recipe-app";

beforeAll(async () => {
  await w.create({ recipes: [R] });
  w.writeConfig(testmeSettings(w));
  await w.startBot();
});
afterAll(() => w.close());

describe("!testme on a real Gitea 1.15+", () => {
  it("runs for a write collaborator: eyes, pending queued/running with the run link, GREEN, one result comment", async () => {
    const pr = await openPull(w, R, "pass-1");
    const c = await w.as("maintainer").comment(w.repo(R), pr.number, "!testme");
    const final = await waitStatus(w, R, pr.sha, "the final status", FINAL);
    expect(final.state).toBe("success");
    expect(final.description).toMatch(/^GREEN in /);
    const all = await statuses(w, R, pr.sha);
    expect(all[0]!.state).toBe("pending");
    expect(all.filter((s) => s.state === "pending").map((s) => s.description).join(" | ")).toMatch(/queued.*\| running|running/);
    expect(all.at(-1)!.state).toBe("success");
    expect(all.every((s) => s.target_url === `http://127.0.0.1:${w.port}/runs/${runIdOf(final)}`)).toBe(true);
    await waitFor(async () => (await w.admin.reactions(w.repo(R), c.id)).some((r) => r.content === "eyes" && r.user.login === w.users.bot.user), "the eyes reaction");
    const results = await waitFor(async () => (await botComments(w, R, pr.number)).filter((x) => x.body.includes(RESULT_MARKER)).at(0), "the result comment");
    expect(results.body).toContain("GREEN");
    expect(results.body).toContain(pr.sha.slice(0, 10));
  });

  it("runs for an org member, edits the one result comment in place, and marks a quick run", async () => {
    const pr = await openPull(w, R, "fail-2");
    await w.as("member").comment(w.repo(R), pr.number, "!testme");
    const red = await waitStatus(w, R, pr.sha, "the RED status", FINAL);
    expect(red.state).toBe("failure");
    const first = await waitFor(async () => (await botComments(w, R, pr.number)).find((x) => x.body.includes(RESULT_MARKER) && x.body.includes("RED")), "the RED result comment");
    await w.as("maintainer").comment(w.repo(R), pr.number, "!testme --quick");
    await waitFor(async () => (await statuses(w, R, pr.sha)).filter(FINAL).length === 2, "the quick re-run's final status");
    expect(first.body).toContain("| mode | full |");
    await waitFor(async () => (await botComments(w, R, pr.number)).find((x) => x.id === first.id && x.body.includes("| mode | quick")), "the result comment edited for the quick run");
    expect((await botComments(w, R, pr.number)).filter((x) => x.body.includes(RESULT_MARKER))).toHaveLength(1);
  });

  it("refuses a stranger with one reply and no run; answers `!testme foo` with the usage", async () => {
    const pr = await openPull(w, R, "pass-3");
    await w.as("stranger").comment(w.repo(R), pr.number, "!testme");
    await w.as("maintainer").comment(w.repo(R), pr.number, "!testme foo");
    const replies = await waitFor(async () => {
      const mine = await botComments(w, R, pr.number);
      return mine.length >= 2 ? mine : null;
    }, "the refusal and the usage reply");
    expect(replies.find((x) => x.body.startsWith(`@${w.users.stranger.user}`))?.body).toMatch(/limited to maintainers/);
    expect(replies.find((x) => x.body.startsWith(`@${w.users.maintainer.user}`))?.body).toMatch(/usage: `!testme`/);
    // A later trigger is the marker that both comments were handled; neither started a run.
    await w.as("maintainer").comment(w.repo(R), pr.number, "!testme");
    await waitStatus(w, R, pr.sha, "the maintainer's run", FINAL);
    expect((await statuses(w, R, pr.sha)).filter(FINAL)).toHaveLength(1);
    expect((await botComments(w, R, pr.number)).filter((x) => x.body.startsWith(`@${w.users.stranger.user}`))).toHaveLength(1);
  });

  it("cancels the old head's run when the PR branch moves (pull_request synchronized); the new head can be tested", async () => {
    const pr = await openPull(w, R, "hold-4");
    await w.as("maintainer").comment(w.repo(R), pr.number, "!testme");
    const running = await waitStatus(w, R, pr.sha, "the run to start", (s) => s.description === "running");
    const next = pr.push("a new commit while the run goes");
    const cancelled = await waitStatus(w, R, pr.sha, "the old head's run cancelled", FINAL);
    expect(cancelled.state).toBe("error");
    expect(cancelled.description).toMatch(/superseded by [0-9a-f]{7}/);
    expect(cancelled.description).toContain(next.slice(0, 7));
    await w.as("maintainer").comment(w.repo(R), pr.number, "!testme");
    const again = await waitStatus(w, R, next, "the new head's run", (s) => s.description === "running");
    expect(runIdOf(again)).not.toBe(runIdOf(running));
    await release(w, runIdOf(again), 0);
    expect((await waitStatus(w, R, next, "the new head's verdict", FINAL)).state).toBe("success");
  });
});
