import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait.ts";
import { botComments, FINAL, openPull, statuses, testmeSettings } from "./support/recipes.ts";
import { World } from "./support/world.ts";

// A sweep on a real Gitea: an operator's /testall tests every enrolled recipe's default
// branch, with statuses on its head that Gitea's branch view shows.
const w = new World();
const RECIPES = ["recipe-one", "recipe-two"];
const RUNNER = new URL("../support/runner.mjs", import.meta.url).pathname;

beforeAll(async () => {
  // Issue Comment too: /testall may be given in a plain issue, whose comments only that event delivers.
  await w.create({ recipes: RECIPES, hookEvents: ["push", "pull_request", "pull_request_comment", "issue_comment"] });
  const settings = testmeSettings(w) as { testme: Record<string, unknown> };
  w.writeConfig({ testme: { ...settings.testme, runner: { command: [process.execPath, RUNNER, "pass"], capacity: 2 } } });
  await w.startBot();
});
afterAll(() => w.close());

describe("/testall on a real Gitea", () => {
  it("refuses anyone but an operator in one line, and sweeps every recipe's default branch for an operator", async () => {
    const pr = await openPull(w, RECIPES[0]!, "pass-sweep");
    await w.as("maintainer").comment(w.repo(RECIPES[0]!), pr.number, "/testall");
    const refusal = await waitFor(async () => (await botComments(w, RECIPES[0]!, pr.number)).find((c) => c.body.startsWith(`@${w.users.maintainer.user}`)), "the refusal");
    expect(refusal.body).toMatch(/`\/testall` is for operators only/);

    await w.as("operator").comment(w.repo(RECIPES[0]!), pr.number, "/testall");
    const reply = await waitFor(async () => (await botComments(w, RECIPES[0]!, pr.number)).find((c) => c.body.startsWith(`@${w.users.operator.user}`)), "the sweep's link");
    const id = /\/sweeps\/(\d+)/.exec(reply.body)?.[1];
    expect(reply.body).toMatch(/sweep #\d+: a full run of the default branch of 2 recipes: http:\/\/127\.0\.0\.1:\d+\/sweeps\/\d+/);
    for (const r of RECIPES) {
      const head = (await w.admin.get<{ commit: { id: string } }>(`/repos/${w.repo(r)}/branches/main`)).commit.id;
      await waitFor(async () => (await statuses(w, r, head)).find(FINAL), `the sweep's verdict on ${r}'s main`);
      const states = (await statuses(w, r, head)).map((s) => s.state);
      expect(states.at(-1)).toBe("success");
      expect(states.slice(0, -1).length).toBeGreaterThan(0);
      expect(states.slice(0, -1).every((s) => s === "pending")).toBe(true);
    }
    const report = await waitFor(async () => {
      const rep = await w.api<{ finished: boolean; entries: Array<{ repo: string; verdict: string | null }> }>(`/api/sweeps/${id}`);
      return rep.finished ? rep : null;
    }, "the sweep to finish");
    expect(report.entries.map((e) => [e.repo, e.verdict]).sort()).toEqual(RECIPES.map((r) => [w.repo(r), "GREEN"]));
  });

  it("answers /testall --quick from an operator in a plain issue with the sweep's link", async () => {
    const issue = await w.as("operator").createIssue(w.repo(RECIPES[1]!), "Nightly looks off");
    await w.as("operator").comment(w.repo(RECIPES[1]!), issue.number, "/testall --quick");
    const reply = await waitFor(async () => (await botComments(w, RECIPES[1]!, issue.number)).find((c) => c.body.startsWith(`@${w.users.operator.user}`)), "the sweep's link in the issue");
    expect(reply.body).toMatch(/sweep #\d+: a quick run of the default branch of 2 recipes: http:\/\/127\.0\.0\.1:\d+\/sweeps\/\d+/);
    const id = /\/sweeps\/(\d+)/.exec(reply.body)![1];
    const report = await waitFor(async () => {
      const rep = await w.api<{ finished: boolean; entries: Array<{ repo: string; verdict: string | null }> }>(`/api/sweeps/${id}`);
      return rep.finished ? rep : null;
    }, "the sweep to finish");
    expect(report.entries.map((e) => [e.repo, e.verdict]).sort()).toEqual(RECIPES.map((r) => [w.repo(r), "GREEN"]));
  });
});
