import { afterEach, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ManualClock } from "../../src/clock.ts";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import type { SweepReport } from "../../src/runs/sweep-report.ts";
import { enrolledRepos } from "../../src/runs/sweep-repos.ts";
import { makeTestmeEnrolment } from "../../src/config/enrolment.ts";
import { GiteaClient } from "../../src/gitea/client.ts";
import { createLogger } from "../../src/log.ts";
import { openStore } from "../../src/store/index.ts";
import type { Run } from "../../src/store/runs.ts";
import { runDirOf, startTestBot, tempDir, TEST_SECRET, TEST_TOKEN, type TestBot } from "../support/bot.ts";
import { removeDir } from "../support/temp.ts";
import { replyText } from "../support/replies.ts";
import { waitFor } from "../support/wait.ts";

const RUNNER = new URL("../support/runner.mjs", import.meta.url).pathname;
const RECIPES = ["recipes/r1", "recipes/r2", "recipes/r3", "recipes/r4", "recipes/r5"];
const REPORTS = "ops/ci-reports";
const DAY = 24 * 3600_000;

interface World {
  emu: GiteaEmulator;
  bot: TestBot;
  clock: ManualClock;
  ctl: string;
  dataDir: string;
}
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let seed = 0;
const newSha = () => (++seed).toString(16).padStart(40, "d");

async function emulator(clock: ManualClock) {
  const emu = await new GiteaEmulator({ now: () => clock.now() }).start();
  emu.state.addUser("ci-bot", TEST_TOKEN);
  emu.state.addOrg("recipes", ["alice", "ci-bot"]);
  emu.state.addOrg("ops");
  emu.state.addUser("olga");
  for (const r of RECIPES) {
    emu.state.addRepo(r);
    emu.state.setBranch(r, newSha());
  }
  emu.state.addRepo(REPORTS);
  cleanups.push(() => emu.close());
  return emu;
}

async function bot(emu: GiteaEmulator, clock: ManualClock, ctl: string, dataDir: string): Promise<TestBot> {
  const b = await startTestBot({
    clock,
    dataDir,
    supervise: false,
    overrides: {
      gitea: { url: emu.url, botUser: "ci-bot" },
      operators: ["olga"],
      testme: {
        repos: ["recipes/*"],
        trust: { orgs: ["recipes"] },
        runner: { command: [process.execPath, RUNNER, "by-recipe", ctl], capacity: 2, graceSeconds: 0.2 },
        schedules: [{ cron: "0 2 * * *" }],
        report: { repo: REPORTS, title: "Nightly sweep", maintainers: { "recipes/r2": ["bob", "recipes/core"] } },
      },
    },
  });
  emu.hooks.length = 0;
  emu.addHook(`${b.url}/webhook`, TEST_SECRET);
  return b;
}

async function world(): Promise<World> {
  const clock = new ManualClock(Date.parse("2026-03-01T01:00:00Z"));
  const ctl = tempDir();
  const dataDir = tempDir();
  const emu = await emulator(clock);
  const w: World = { emu, clock, ctl, dataDir, bot: await bot(emu, clock, ctl, dataDir) };
  cleanups.push(async () => {
    for (const r of await w.bot.store.runs.recent(50).catch(() => [])) if (r.state !== "finished") release(w, r, 0);
    await w.bot.stop();
    removeDir(dataDir);
    removeDir(ctl);
  });
  return w;
}

/** What each recipe's runner does ("hold" waits for a release file with its exit code). */
function behave(w: World, recipe: string, behaviour: string) {
  mkdirSync(w.ctl, { recursive: true });
  // Whole or not at all: a runner starting now reads it.
  const file = join(w.ctl, recipe.split("/")[1]!);
  writeFileSync(`${file}.tmp`, behaviour);
  renameSync(`${file}.tmp`, file);
}

function release(w: World, run: Run, code: number) {
  const dir = runDirOf(w.bot, run.id);
  if (existsSync(dir)) writeFileSync(join(dir, "release"), String(code));
}

const envOf = (w: World, run: Run) => JSON.parse(readFileSync(join(runDirOf(w.bot, run.id), "env.json"), "utf8")) as Record<string, string>;
const head = (w: World, repo: string) => w.emu.state.repo(repo).branches.get("main")!;
const state = async (w: World, id: number) => (await w.bot.store.runs.get(id))!.state;

async function sweepRuns(w: World, sweepId: number, n: number): Promise<Run[]> {
  return waitFor(async () => {
    const runs = await w.bot.store.runs.ofSweep(sweepId);
    return runs.length === n ? runs : null;
  }, `${n} runs of sweep ${sweepId}`);
}

/** Releases running runs (exit code by recipe) until every run of the sweep has finished. */
async function finishSweep(w: World, sweepId: number, code: (repo: string) => number = () => 0) {
  await waitFor(async () => {
    for (const r of await w.bot.store.runs.running()) if (existsSync(join(runDirOf(w.bot, r.id), "runner.pid"))) release(w, r, code(r.repo));
    await w.bot.runs.tick();
    return (await w.bot.store.sweeps.get(sweepId))?.finishedAt != null;
  }, `sweep ${sweepId} to finish`, 20_000);
  await w.bot.outbox.idle();
}

async function report(w: World, id: number): Promise<SweepReport> {
  const res = await fetch(`${w.bot.url}/api/sweeps/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as SweepReport;
}

describe("scheduled sweeps (ManualClock, emulated Gitea, real runner processes)", () => {
  it("runs every recipe once on its default-branch head, PR runs first, reports what changed, and fires once across a restart", async () => {
    const w = await world();
    for (const r of RECIPES) behave(w, r, "hold");

    // First sight of the schedule: the next slot (02:00), not one that passed before.
    await w.bot.sweepSchedule.tick();
    expect(await w.bot.store.sweeps.recent(5)).toEqual([]);
    w.clock.set(Date.parse("2026-03-01T02:00:30Z"));
    await w.bot.sweepSchedule.tick();
    await w.bot.sweepSchedule.tick();
    expect((await w.bot.store.sweeps.recent(5)).map((s) => s.id)).toEqual([1]);
    const night1 = await sweepRuns(w, 1, 5);
    expect(night1.map((r) => [r.repo, r.sha, r.ref, r.pr, r.trigger, r.mode])).toEqual(RECIPES.map((r) => [r, head(w, r), "main", 0, "schedule", "full"]));

    // Capacity 2: two run, three wait.
    const [r1, r2, r3, r4, r5] = night1 as [Run, Run, Run, Run, Run];
    await waitFor(async () => (await state(w, r1.id)) === "running" && (await state(w, r2.id)) === "running", "the first two sweep runs to start");
    expect(await w.bot.store.runs.running()).toHaveLength(2);

    // A !testme arriving mid-sweep goes before the sweep's waiting runs.
    const { pull } = await w.emu.openPull("recipes/r4", { author: "alice", headRef: "hold-pr", headSha: newSha() });
    await w.emu.comment("recipes/r4", pull.number, "alice", "!testme");
    const prRun = await waitFor(async () => (await w.bot.store.runs.forPr("recipes/r4", pull.number, 1))[0], "the PR run");
    expect((await w.bot.store.runs.queued()).map((r) => r.id)).toEqual([prRun.id, r3.id, r4.id, r5.id]);
    await waitFor(() => existsSync(join(runDirOf(w.bot, r1.id), "runner.pid")), "r1's runner");
    release(w, r1, 0);
    await waitFor(async () => (await state(w, prRun.id)) === "running", "the PR run to start");
    expect(await state(w, r3.id)).toBe("queued");
    await waitFor(() => existsSync(join(runDirOf(w.bot, prRun.id), "env.json")), "the PR run's runner");
    expect(envOf(w, prRun)).toMatchObject({ CCCI_TRIGGER: "pr", CCCI_PR: String(pull.number) });

    await finishSweep(w, 1);
    const env = envOf(w, r3);
    expect(env).toMatchObject({ CCCI_TRIGGER: "schedule", CCCI_REPO: "recipes/r3", CCCI_SHA: head(w, "recipes/r3"), CCCI_REF: "main", CCCI_QUICK: "0" });
    expect(env).not.toHaveProperty("CCCI_PR");
    for (const run of night1) {
      const ours = w.emu.state.statusesOf(run.repo, run.sha).filter((s) => s.context === "cc-ci/testme").reverse();
      expect(ours.map((s) => s.state)).toEqual(["pending", "pending", "success"]);
      expect(ours[2]!.targetUrl).toBe(`${w.bot.url}/runs/${run.id}`);
    }
    // A sweep's run has no PR to comment on: the only result comment is the PR run's.
    const results = RECIPES.flatMap((r) => w.emu.state.repo(r).comments.filter((c) => c.author.login === "ci-bot").map((c) => `${r}#${c.issue}`));
    expect(results).toEqual([`recipes/r4#${pull.number}`]);
    const first = await report(w, 1);
    expect(first.finished).toBe(true);
    expect(first.entries.map((e) => [e.repo, e.verdict, e.change])).toEqual(RECIPES.map((r) => [r, "GREEN", "first green"]));
    await finishPr(w, prRun);

    // Night 2: r2's main moved and is red now; r5 fails its upgrade tier.
    const greenR2 = head(w, "recipes/r2");
    w.emu.state.setBranch("recipes/r2", newSha());
    behave(w, "recipes/r5", "results");
    w.clock.set(Date.parse("2026-03-02T02:00:05Z"));
    await w.bot.sweepSchedule.tick();
    await sweepRuns(w, 2, 5);
    await finishSweep(w, 2, (repo) => (repo === "recipes/r2" ? 1 : 0));
    const second = await report(w, 2);
    const byRepo = Object.fromEntries(second.entries.map((e) => [e.repo, e]));
    expect(byRepo["recipes/r2"]).toMatchObject({ verdict: "RED", change: "newly red", lastGreenSha: greenR2, firstRedSha: head(w, "recipes/r2") });
    expect(byRepo["recipes/r5"]).toMatchObject({ verdict: "RED", change: "newly red", failedTier: "upgrade", lastGreenSha: head(w, "recipes/r5"), firstRedSha: head(w, "recipes/r5") });
    expect(byRepo["recipes/r1"]).toMatchObject({ verdict: "GREEN", change: "still green" });

    // One issue per sweep in the report repo; newly red recipes mention their maintainers.
    const issues = w.emu.state.repo(REPORTS).issues;
    expect(issues.map((i) => i.title)).toEqual(["Nightly sweep #1 (2026-03-01): 5 green, 0 red", "Nightly sweep #2 (2026-03-02): 3 green, 2 red"]);
    const body = issues[1]!.body;
    expect(body).toContain(`- **recipes/r2** RED — last green \`${greenR2.slice(0, 7)}\` → first red \`${head(w, "recipes/r2").slice(0, 7)}\``);
    expect(body).toMatch(/recipes\/r2\*\* RED .* @bob @recipes\/core$/m);
    expect(body).toMatch(/recipes\/r5\*\* RED \(upgrade\) .* @recipes$/m);
    expect(body).toContain(`${w.bot.url}/sweeps/2`);

    // Metrics: sweeps, recipes by verdict in the last sweep, sweep duration.
    const metrics = await (await fetch(`${w.bot.url}/metrics`)).text();
    expect(metrics).toContain('ccci_sweeps_total{trigger="schedule"} 2');
    expect(metrics).toContain('ccci_sweep_recipes{verdict="GREEN"} 3');
    expect(metrics).toContain('ccci_sweep_recipes{verdict="RED"} 2');
    expect(metrics).toContain("ccci_sweep_duration_seconds_count 2");
    expect(((await (await fetch(`${w.bot.url}/api/sweeps`)).json()) as { sweeps: Array<{ id: number }> }).sweeps.map((s) => s.id)).toEqual([2, 1]);
    const dash = await (await fetch(`${w.bot.url}/`)).text();
    expect(dash).toContain('href="/sweeps/2"');

    // Down across three slots (03-03, 03-04, 03-05 at 02:00): one sweep at start, not three.
    await w.bot.stop();
    behave(w, "recipes/r5", "hold");
    w.clock.set(Date.parse("2026-03-05T09:00:00Z"));
    w.bot = await bot(w.emu, w.clock, w.ctl, w.dataDir);
    await w.bot.sweepSchedule.tick();
    await w.bot.sweepSchedule.tick();
    expect((await w.bot.store.sweeps.recent(10)).map((s) => s.id)).toEqual([3, 2, 1]);
    await sweepRuns(w, 3, 5);
    await finishSweep(w, 3, (repo) => (repo === "recipes/r2" ? 1 : 0));
    const third = await report(w, 3);
    expect(third.entries.find((e) => e.repo === "recipes/r2")).toMatchObject({ change: "still red", lastGreenSha: greenR2, firstRedSha: head(w, "recipes/r2") });
    expect(third.entries.find((e) => e.repo === "recipes/r5")).toMatchObject({ change: "fixed" });
    // The next slot counts from the start: 03-06 02:00.
    w.clock.set(Date.parse("2026-03-06T01:59:00Z"));
    await w.bot.sweepSchedule.tick();
    expect(await w.bot.store.sweeps.recent(10)).toHaveLength(3);
    w.clock.advance(DAY / 24);
    await w.bot.sweepSchedule.tick();
    expect(await w.bot.store.sweeps.recent(10)).toHaveLength(4);
  }, 90_000);

  it("/testall from an operator starts a sweep and links it; anyone else is refused in one line", async () => {
    const w = await world();
    for (const r of RECIPES) behave(w, r, "pass");
    const { pull } = await w.emu.openPull("recipes/r1", { author: "alice", headRef: "pass-1", headSha: newSha() });
    await w.emu.comment("recipes/r1", pull.number, "alice", "/testall");
    await w.bot.dispatcher.idle();
    await w.bot.outbox.idle();
    const replies = () => w.emu.state.commentsOn("recipes/r1", pull.number).filter((c) => c.author.login === "ci-bot").map((c) => replyText(c.body));
    await waitFor(() => replies().length === 1, "the refusal");
    expect(replies()).toEqual(["@alice `/testall` is for operators only."]);
    expect(await w.bot.store.sweeps.recent(5)).toEqual([]);

    await w.emu.comment("recipes/r1", pull.number, "olga", "/testall --quick");
    await waitFor(() => replies().length === 2, "the operator's answer");
    expect(replies()[1]).toBe(`@olga sweep #1: a quick run of the default branch of 5 recipes: ${w.bot.url}/sweeps/1`);
    const runs = await sweepRuns(w, 1, 5);
    expect(runs.every((r) => r.mode === "quick" && r.trigger === "command" && r.requestedBy === "olga")).toBe(true);
    await finishSweep(w, 1);
    expect(envOf(w, runs[0]!)).toMatchObject({ CCCI_TRIGGER: "command", CCCI_QUICK: "1" });
    expect((await report(w, 1)).counts).toEqual({ GREEN: 5, RED: 0, ERROR: 0, pending: 0 });
    for (const path of ["/sweeps/2", "/sweeps/x", "/api/sweeps/2"]) {
      const res = await fetch(`${w.bot.url}${path}`);
      expect([res.status, await res.json()]).toEqual([404, { error: `no sweep ${path.split("/").pop()}` }]);
    }
    // A redelivered comment answers with the same sweep, not a second one.
    await w.emu.redeliverLast();
    await w.bot.dispatcher.idle();
    expect(await w.bot.store.sweeps.recent(5)).toHaveLength(1);
  }, 60_000);
});

describe("a sweep interrupted while queueing", () => {
  it("gets the runs it is missing at the next start, once each, and then finishes", async () => {
    const w = await world();
    for (const r of RECIPES) behave(w, r, "pass");
    // As a crash leaves it: the sweep stored and one run queued, the others not yet.
    const { sweep } = await w.bot.store.sweeps.create({ key: "command:recipes/r1:1", cause: "command", mode: "full", requestedBy: "olga" }, w.clock.now());
    await w.bot.stop();
    const store = openStore(w.dataDir);
    await store.runs.create({ repo: "recipes/r3", pr: 0, sha: head(w, "recipes/r3"), ref: "main", cloneUrl: "", mode: "full", requestedBy: "olga", commentId: null, trigger: "command", sweepId: sweep.id }, w.clock.now());
    await store.close();
    w.bot = await bot(w.emu, w.clock, w.ctl, w.dataDir);
    const runs = await sweepRuns(w, sweep.id, 5);
    expect(runs.map((r) => r.repo).sort()).toEqual(RECIPES);
    await finishSweep(w, sweep.id);
    expect((await report(w, sweep.id)).counts).toEqual({ GREEN: 5, RED: 0, ERROR: 0, pending: 0 });
    expect(await w.bot.store.runs.ofSweep(sweep.id)).toHaveLength(5);
  }, 60_000);
});

describe("the recipes a sweep tests", () => {
  it("lists an organisation's and a user's repos behind the globs, keeps exact names, and says which owner could not be listed", async () => {
    const emu = await new GiteaEmulator().start();
    cleanups.push(() => emu.close());
    emu.state.addUser("ci-bot", TEST_TOKEN);
    emu.state.addOrg("recipes");
    for (const r of ["recipes/zulip", "recipes/abra", "recipes/tools-x", "dana/keycloak", "dana/notes", "other/one"]) emu.state.addRepo(r);
    const patterns = ["recipes/*", "dana/k*", "other/one", "ghost/*"];
    const gitea = new GiteaClient({ url: emu.url, token: TEST_TOKEN });
    emu.state.faults.push({ path: /\/users\/ghost\/repos$/, status: 500, times: 1 });
    const got = await enrolledRepos(patterns, makeTestmeEnrolment({ testme: { repos: patterns } as never }), gitea, createLogger("silent", (s) => s));
    expect(got.repos).toEqual(["dana/keycloak", "other/one", "recipes/abra", "recipes/tools-x", "recipes/zulip"]);
    expect(got.failed).toEqual([{ repo: "ghost/*", reason: expect.stringMatching(/^could not list the repos: gitea userListRepos failed: HTTP 500/) }]);
    expect(emu.state.callLines((c) => c.path.includes("/dana"))).toEqual(["GET /api/v1/orgs/dana/repos", "GET /api/v1/users/dana/repos"]);
  });
});

async function finishPr(w: World, run: Run) {
  await waitFor(async () => {
    release(w, run, 0);
    await w.bot.runs.tick();
    return (await state(w, run.id)) === "finished";
  }, "the PR run to finish");
}
