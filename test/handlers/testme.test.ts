import { afterEach, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GiteaEmulator, type Flavour } from "../../src/emulator/index.ts";
import type { Run } from "../../src/store/runs.ts";
import { runDirOf, startTestBot, tempDir, TEST_SECRET, TEST_TOKEN, type TestBot } from "../support/bot.ts";
import { alive } from "../support/alive.ts";
import { waitFor } from "../support/wait.ts";
import { replyText } from "../support/replies.ts";

const RUNNER = new URL("../support/runner.mjs", import.meta.url).pathname;
const NC = "recipes/nextcloud";
const WP = "recipes/wordpress";

interface World {
  emu: GiteaEmulator;
  bot: TestBot;
}
let worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds) {
    for (const run of await w.bot.store.runs.recent(50)) if (run.state !== "finished") release(w, run, 0);
    await w.bot.dispose();
    await w.emu.close();
  }
  worlds = [];
});

async function world(o: { flavour?: Flavour; testme?: Record<string, unknown>; gitea?: Record<string, unknown> } = {}): Promise<World> {
  const emu = await new GiteaEmulator({ flavour: o.flavour ?? "gitea-modern" }).start();
  emu.state.addUser("ci-bot", TEST_TOKEN);
  emu.state.addOrg("recipes", ["alice", "ci-bot"]);
  emu.state.addUser("mallory");
  emu.state.addRepo(NC);
  emu.state.addRepo(WP);
  const bot = await startTestBot({
    overrides: {
      gitea: { url: emu.url, botUser: "ci-bot", ...o.gitea },
      testme: {
        repos: ["recipes/*"],
        trust: { orgs: ["recipes"] },
        runner: { command: [process.execPath, RUNNER, "by-ref", TEST_TOKEN], capacity: 2, graceSeconds: 0.2 },
        ...o.testme,
      },
    },
  });
  emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
  const w = { emu, bot };
  worlds.push(w);
  return w;
}

let shaSeed = 0;
const newSha = () => (++shaSeed).toString(16).padStart(40, "a");

async function pr(w: World, ref: string, repo = NC) {
  const { pull } = await w.emu.openPull(repo, { author: "alice", headRef: ref, headSha: newSha() });
  return pull;
}

async function comment(w: World, number: number, body: string, author = "alice", repo = NC) {
  const { deliveries } = await w.emu.comment(repo, number, author, body);
  expect(deliveries[0]?.status).toBe(202);
}

async function runOf(w: World, number: number, pred: (r: Run) => boolean, what: string, repo = NC): Promise<Run> {
  return waitFor(async () => (await w.bot.store.runs.forPr(repo, number, 20)).find(pred), what);
}

function release(w: World, run: Run, code: number) {
  const dir = runDirOf(w.bot, run.id);
  if (existsSync(dir)) writeFileSync(join(dir, "release"), String(code));
}

/** Statuses of a commit, oldest first, as "state: description". */
const statuses = (w: World, sha: string, repo = NC) => w.emu.state.statusesOf(repo, sha).reverse().map((s) => `${s.state}: ${s.description}`);
const writes = (w: World, repo = NC) => w.emu.state.callLines((c) => c.method !== "GET" && c.path.includes(`/repos/${repo}/`));
const botComments = (w: World, number: number, repo = NC) =>
  w.emu.state.commentsOn(repo, number).filter((c) => c.author.login === "ci-bot").map((c) => ({ ...c, body: replyText(c.body) }));

async function settle(w: World) {
  await w.bot.dispatcher.idle();
  await w.bot.runs.tick();
  await w.bot.outbox.idle();
}

describe("!testme end to end (emulated Gitea, real runner processes)", () => {
  it("runs GREEN with the forge calls in order, and a re-run edits the same result comment", async () => {
    const w = await world();
    const p = await pr(w, "pass-1");
    await comment(w, p.number, "!testme");
    const run = await runOf(w, p.number, (r) => r.state === "finished", "the run to finish");
    await waitFor(() => statuses(w, p.headSha).length === 3 && botComments(w, p.number).length === 1, "the reports");
    expect(run).toMatchObject({ verdict: "GREEN", sha: p.headSha, mode: "full", requestedBy: "alice" });
    const commentId = w.emu.state.commentsOn(NC, p.number)[0]!.id;
    // The pending status goes first; the eyes follow it, before or after "running" (the run
    // starts on its own time).
    const reaction = `POST /api/v1/repos/${NC}/issues/comments/${commentId}/reactions`;
    expect(writes(w)[0]).toBe(`POST /api/v1/repos/${NC}/statuses/${p.headSha}`);
    expect(writes(w).filter((l) => l === reaction)).toHaveLength(1);
    expect(writes(w).filter((l) => l !== reaction)).toEqual([
      `POST /api/v1/repos/${NC}/statuses/${p.headSha}`,
      `POST /api/v1/repos/${NC}/statuses/${p.headSha}`,
      `POST /api/v1/repos/${NC}/statuses/${p.headSha}`,
      `POST /api/v1/repos/${NC}/issues/${p.number}/comments`,
    ]);
    expect(statuses(w, p.headSha)).toEqual(["pending: queued (position 1)", "pending: running", expect.stringMatching(/^success: GREEN in \d+s$/)]);
    const status = w.emu.state.latestStatus(NC, p.headSha, "cc-ci/testme")!;
    expect(status.targetUrl).toBe(`${w.bot.url}/runs/${run.id}`);
    expect(w.emu.state.repo(NC).reactions).toEqual([{ commentId, user: "ci-bot", content: "eyes" }]);
    const result = botComments(w, p.number)[0]!.body;
    expect(result).toContain("### cc-ci: GREEN");
    expect(result).toContain(`| commit | \`${p.headSha.slice(0, 10)}\` |`);
    expect(result).toContain(`[#${run.id}](${w.bot.url}/runs/${run.id})`);
    expect(result).toContain("runner pass for recipes/nextcloud");
    const env = JSON.parse(readFileSync(join(runDirOf(w.bot, run.id), "env.json"), "utf8")) as Record<string, string>;
    expect(env).toEqual({
      CCCI_RUN_ID: String(run.id),
      CCCI_REPO: NC,
      CCCI_RECIPE: "nextcloud",
      CCCI_TRIGGER: "pr",
      CCCI_PR: String(p.number),
      CCCI_SHA: p.headSha,
      CCCI_REF: "pass-1",
      CCCI_CLONE_URL: `${w.emu.url}/${NC}.git`,
      CCCI_QUICK: "0",
      CCCI_RUN_URL: `${w.bot.url}/runs/${run.id}`,
      CCCI_RUN_DIR: runDirOf(w.bot, run.id),
    });

    // After it ended, a new !testme on the same SHA is a deliberate re-run.
    await comment(w, p.number, "!testme --quick");
    const second = await runOf(w, p.number, (r) => r.id !== run.id && r.state === "finished", "the re-run to finish");
    await waitFor(() => statuses(w, p.headSha).length === 6 && botComments(w, p.number)[0]!.body.includes("| mode | quick"), "the re-run's reports");
    expect(second.mode).toBe("quick");
    expect(statuses(w, p.headSha).slice(3)).toEqual(["pending: queued (position 1)", "pending: running", expect.stringMatching(/^success: GREEN/)]);
    expect(botComments(w, p.number)).toHaveLength(1);
    expect(botComments(w, p.number)[0]!.body).toContain("quick (`--quick`: fewer tiers, lower confidence)");
    expect(writes(w).at(-1)).toMatch(new RegExp(`^PATCH /api/v1/repos/${NC}/issues/comments/\\d+$`));
  });

  it("stops at maxRunsPerPr runs for one head, with a reply saying so", async () => {
    const w = await world({ testme: { maxRunsPerPr: 1 } });
    const p = await pr(w, "pass-8");
    await comment(w, p.number, "!testme");
    await runOf(w, p.number, (r) => r.state === "finished", "the first run");
    await comment(w, p.number, "!testme");
    await waitFor(() => botComments(w, p.number).some((c) => c.body.startsWith("@alice")), "the cap reply");
    expect(botComments(w, p.number).find((c) => c.body.startsWith("@alice"))!.body).toBe(
      `@alice this commit (\`${p.headSha.slice(0, 7)}\`) has had its 1 run; push a new commit to test again.`,
    );
    expect(await w.bot.store.runs.forPr(NC, p.number, 5)).toHaveLength(1);
  });

  it("runs RED, shows results.json tiers, and names the failed tier", async () => {
    const w = await world();
    const p = await pr(w, "results-1");
    await comment(w, p.number, "!testme");
    const run = await runOf(w, p.number, (r) => r.state === "finished", "the run to finish");
    await waitFor(() => botComments(w, p.number).length === 1, "the result comment");
    expect(run.verdict).toBe("RED");
    expect(statuses(w, p.headSha).at(-1)).toBe("failure: RED: upgrade failed");
    expect(botComments(w, p.number)[0]!.body).toContain("| upgrade | fail |");
  });

  it("pins the run to the head from the PR API on Gitea 1.15, whose comment payload has no PR", async () => {
    const w = await world({ flavour: "gitea-1.15" });
    const p = await pr(w, "pass-2");
    await comment(w, p.number, "!testme");
    const run = await runOf(w, p.number, (r) => r.state === "finished", "the run to finish");
    expect(run).toMatchObject({ verdict: "GREEN", sha: p.headSha, ref: "pass-2" });
  });

  it("refuses a non-member with one polite reply and no run", async () => {
    const w = await world();
    const p = await pr(w, "pass-3");
    await comment(w, p.number, "!testme", "mallory");
    await waitFor(() => botComments(w, p.number).length === 1, "the reply");
    await settle(w);
    expect(botComments(w, p.number)[0]!.body).toMatch(/^@mallory thanks for asking, but `!testme` is limited to maintainers/);
    expect(await w.bot.store.runs.forPr(NC, p.number, 5)).toEqual([]);
    expect(statuses(w, p.headSha)).toEqual([]);
  });

  it("waits out a membership check that gets 500s, spending no attempt, and runs once Gitea answers", async () => {
    const w = await world();
    const p = await pr(w, "pass-4");
    w.emu.state.faults.push({ path: /\/orgs\/recipes\/members\//, status: 500, times: 4 });
    await comment(w, p.number, "!testme");
    const run = await runOf(w, p.number, (r) => r.state === "finished", "the run after the outage");
    expect(run.verdict).toBe("GREEN");
    await settle(w);
    expect(botComments(w, p.number).filter((c) => c.body.startsWith("@alice"))).toEqual([]);
    const delivery = (await w.bot.store.deliveries.list({ limit: 20 })).find((d) => d.event === "issue_comment" && d.state !== "ignored");
    // Four 500s waited out, and the delivery done at its first counted attempt.
    expect(delivery).toMatchObject({ state: "done", attempts: 1, waitingFor: null });
  });

  it("fails closed when Gitea refuses the membership check, with one reply saying a re-comment retries", async () => {
    const w = await world();
    const p = await pr(w, "pass-4");
    w.emu.state.faults.push({ path: /\/orgs\/recipes\/members\//, status: 403, times: 1 });
    await comment(w, p.number, "!testme");
    await waitFor(() => botComments(w, p.number).length === 1, "the reply");
    expect(botComments(w, p.number)[0]!.body).toBe(
      "@alice I could not check your permission to run tests (the forge refused the check), so nothing was started. Comment `!testme` again to retry.",
    );
    expect(await w.bot.store.runs.forPr(NC, p.number, 5)).toEqual([]);
  });

  it("starts nothing for quotes, fences, look-alikes, edits, closed PRs or the bot's own comment", async () => {
    const w = await world();
    const p = await pr(w, "pass-5");
    for (const body of ["> !testme", "```\n!testme\n```", "!testmexyz", "please !testme"]) await comment(w, p.number, body);
    const { comment: c } = await w.emu.comment(NC, p.number, "alice", "will test later");
    expect((await w.emu.editComment(NC, c.id, "!testme"))[0]?.status).toBe(202);
    await comment(w, p.number, "!testme", "ci-bot");
    const closed = await pr(w, "pass-6");
    await w.emu.closePull(NC, closed.number);
    await comment(w, closed.number, "!testme");
    await settle(w);
    expect(await w.bot.store.runs.recent(10)).toEqual([]);
    expect(w.emu.state.repo(NC).statuses.size).toBe(0);

    await comment(w, p.number, "!testme foo");
    await waitFor(() => botComments(w, p.number).length === 2, "the usage reply");
    expect(botComments(w, p.number)[1]!.body).toMatch(/^@alice usage: `!testme`/);
  });

  it("coalesces a second !testme while the first runs, replying with its link", async () => {
    const w = await world();
    const p = await pr(w, "hold-1");
    await comment(w, p.number, "!testme");
    const run = await runOf(w, p.number, (r) => r.state === "running", "the run to start");
    await comment(w, p.number, "!testme");
    await waitFor(() => botComments(w, p.number).length === 1, "the reply");
    expect(botComments(w, p.number)[0]!.body).toBe(`@alice a full run of \`${p.headSha.slice(0, 7)}\` is already running: ${w.bot.url}/runs/${run.id}`);
    expect(await w.bot.store.runs.forPr(NC, p.number, 5)).toHaveLength(1);
    release(w, run, 0);
    await runOf(w, p.number, (r) => r.state === "finished", "the run to finish");
  });

  it("cancels the run of the old head when the PR moves, and says so in the old head's status", async () => {
    const w = await world();
    const p = await pr(w, "hold-2");
    await comment(w, p.number, "!testme");
    await runOf(w, p.number, (r) => r.state === "running", "the run to start");
    const old = p.headSha;
    const next = newSha();
    expect((await w.emu.pushToPull(NC, p.number, next))[0]?.status).toBe(202);
    const run = await runOf(w, p.number, (r) => r.state === "finished", "the run to be cancelled");
    await waitFor(() => statuses(w, old).length === 3, "the final status");
    expect(run).toMatchObject({ verdict: "ERROR", reason: `superseded by ${next.slice(0, 7)}`, sha: old });
    expect(statuses(w, old).at(-1)).toBe(`error: ERROR: superseded by ${next.slice(0, 7)}`);
  });

  it("lets the old head's run finish when supersede is keep", async () => {
    const w = await world({ testme: { supersede: "keep" } });
    const p = await pr(w, "hold-3");
    await comment(w, p.number, "!testme");
    const running = await runOf(w, p.number, (r) => r.state === "running", "the run to start");
    await w.emu.pushToPull(NC, p.number, newSha());
    await settle(w);
    expect((await w.bot.store.runs.get(running.id))?.state).toBe("running");
    release(w, running, 0);
    expect((await runOf(w, p.number, (r) => r.state === "finished", "the run to finish")).verdict).toBe("GREEN");
  });

  it("queues beyond capacity with the position shown, and runs one recipe's runs one at a time", async () => {
    const w = await world({ testme: { runner: { command: [process.execPath, RUNNER, "by-ref"], capacity: 1, graceSeconds: 0.2 } } });
    const a = await pr(w, "hold-4");
    const b = await pr(w, "hold-5", WP);
    await comment(w, a.number, "!testme");
    const first = await runOf(w, a.number, (r) => r.state === "running", "the first run to start");
    await comment(w, b.number, "!testme", "alice", WP);
    await waitFor(() => statuses(w, b.headSha, WP).length === 1, "the second run's status");
    expect(statuses(w, b.headSha, WP)).toEqual(["pending: queued (position 1)"]);
    expect((await w.bot.store.runs.forPr(WP, b.number, 1))[0]?.state).toBe("queued");
    release(w, first, 0);
    const second = await runOf(w, b.number, (r) => r.state === "running", "the second run to start", WP);
    release(w, second, 0);
    await runOf(w, b.number, (r) => r.state === "finished", "the second run to finish", WP);

    // Capacity is not the limit here: one recipe, two PRs, still one at a time.
    const w2 = await world({ testme: { runner: { command: [process.execPath, RUNNER, "by-ref"], capacity: 2, graceSeconds: 0.2 } } });
    const c = await pr(w2, "hold-6");
    const d = await pr(w2, "hold-7");
    await comment(w2, c.number, "!testme");
    const third = await runOf(w2, c.number, (r) => r.state === "running", "the third run to start");
    await comment(w2, d.number, "!testme");
    await waitFor(() => statuses(w2, d.headSha).length === 1, "the fourth run's status");
    await w2.bot.runs.tick();
    expect((await w2.bot.store.runs.forPr(NC, d.number, 1))[0]?.state).toBe("queued");
    release(w2, third, 0);
    const fourth = await runOf(w2, d.number, (r) => r.state === "running", "the fourth run to start");
    release(w2, fourth, 0);
  });

  it("kills the runner and its grandchildren on timeout, verdict ERROR", async () => {
    const w = await world({ testme: { runner: { command: [process.execPath, RUNNER, "by-ref"], timeoutMinutes: 0.02, graceSeconds: 0.2, capacity: 2 } } });
    const p = await pr(w, "grandchildren-1");
    await comment(w, p.number, "!testme");
    const running = await runOf(w, p.number, (r) => r.state === "running", "the run to start");
    const dir = runDirOf(w.bot, running.id);
    await waitFor(() => existsSync(join(dir, "grandchild-1.pid")), "the grandchildren to start");
    const pids = [0, 1].map((i) => Number(readFileSync(join(dir, `grandchild-${i}.pid`), "utf8")));
    const run = await runOf(w, p.number, (r) => r.state === "finished", "the timeout");
    expect(run).toMatchObject({ verdict: "ERROR", reason: "timed out after 1s" });
    await waitFor(() => pids.every((pid) => !alive(pid)), "no orphan left");
    await waitFor(() => statuses(w, p.headSha).at(-1) === "error: ERROR: timed out after 1s", "the final status");
  });

  it("redacts the Gitea token a runner prints, in the comment and on the run page", async () => {
    const w = await world();
    const p = await pr(w, "print-1");
    await comment(w, p.number, "!testme");
    const run = await runOf(w, p.number, (r) => r.state === "finished", "the run to finish");
    await waitFor(() => botComments(w, p.number).length === 1, "the result comment");
    const body = botComments(w, p.number)[0]!.body;
    expect(body).toContain("cloning with [redacted]");
    expect(body).not.toContain(TEST_TOKEN);
    for (const path of [`/runs/${run.id}`, `/runs/${run.id}/log`]) {
      const page = await (await fetch(`${w.bot.url}${path}`)).text();
      expect(page).toContain("cloning with [redacted]");
      expect(page).not.toContain(TEST_TOKEN);
    }
  });

  it("caps the comment for a 5 MB log while the run page still serves all of it", async () => {
    const w = await world();
    const p = await pr(w, "biglog-1");
    await comment(w, p.number, "!testme");
    const run = await runOf(w, p.number, (r) => r.state === "finished", "the run to finish");
    await waitFor(() => botComments(w, p.number).length === 1, "the result comment");
    const body = botComments(w, p.number)[0]!.body;
    expect(body.length).toBeLessThan(20_000);
    expect(body).toContain("the end");
    const log = await (await fetch(`${w.bot.url}/runs/${run.id}/log`)).text();
    expect(log.length).toBeGreaterThan(5_000_000);
    expect((await fetch(`${w.bot.url}/runs/${run.id}`)).status).toBe(200);
  });

  it("delivers every report after Gitea fails and hangs, in order, none twice", async () => {
    const w = await world({ gitea: { timeoutSeconds: 0.2 } });
    const p = await pr(w, "pass-7");
    w.emu.state.faults.push({ method: "POST", path: /\/statuses\//, status: 500, times: 4 });
    w.emu.state.faults.push({ method: "POST", path: /\/issues\/\d+\/comments$/, hangMs: 600, times: 2 });
    await comment(w, p.number, "!testme");
    await runOf(w, p.number, (r) => r.state === "finished", "the run to finish");
    await waitFor(async () => (await w.bot.store.outbox.backlog()) === 0, "the outbox to drain", 20_000);
    await waitFor(() => botComments(w, p.number).length >= 1, "the result comment");
    expect(statuses(w, p.headSha)).toEqual(["pending: queued (position 1)", "pending: running", expect.stringMatching(/^success: GREEN/)]);
    // A hung create may have been applied by the forge before the bot gave up on it; the
    // upsert then finds it by its marker and edits it instead of adding another.
    expect(botComments(w, p.number)).toHaveLength(1);
  });
});

describe("!testme catch-up sweep", () => {
  it("runs a !testme posted while the bot was down, and never one from before its first start", async () => {
    let now = Date.now() - 3_600_000;
    const emu = await new GiteaEmulator({ now: () => now }).start();
    emu.state.addUser("ci-bot", TEST_TOKEN);
    emu.state.addOrg("recipes", ["alice", "ci-bot"]);
    emu.state.addRepo(NC);
    const { pull } = await emu.openPull(NC, { author: "alice", headRef: "pass-9", headSha: newSha() });
    await emu.comment(NC, pull.number, "alice", "!testme"); // no hook yet: never delivered
    const dataDir = `${tempDir()}/data`;
    const overrides = {
      gitea: { url: emu.url, botUser: "ci-bot" },
      testme: { repos: ["recipes/*"], trust: { orgs: ["recipes"] }, runner: { command: [process.execPath, RUNNER, "by-ref"], graceSeconds: 0.2 } },
    };
    const first = await startTestBot({ dataDir, overrides });
    await first.catchUp.comments.sweep();
    await first.dispatcher.idle();
    expect(await first.store.runs.recent(5)).toEqual([]);
    await first.stop();

    now = Date.now() + 1000;
    await emu.comment(NC, pull.number, "alice", "!testme --quick"); // while the bot is down
    const second = await startTestBot({ dataDir, overrides });
    try {
      const run = await waitFor(async () => (await second.store.runs.recent(5))[0], "the swept comment's run");
      expect(run).toMatchObject({ pr: pull.number, mode: "quick", sha: pull.headSha });
      await second.catchUp.comments.sweep();
      await second.dispatcher.idle();
      expect(await second.store.runs.recent(5)).toHaveLength(1);
      await waitFor(async () => (await second.store.runs.get(run.id))?.state === "finished", "the run to finish");
    } finally {
      await second.dispose();
      await emu.close();
    }
  });
});
