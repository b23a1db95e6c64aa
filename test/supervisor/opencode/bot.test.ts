import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../../src/clock.ts";
import { GiteaEmulator } from "../../../src/emulator/index.ts";
import type { EmuCommit } from "../../../src/emulator/entities.ts";
import { LoopRepo, type CommitSpec } from "../../../src/demo/loop-repo.ts";
import { kickoff } from "../../../src/loops/phases.ts";
import { NUDGE } from "../../../src/supervisor/supervisor.ts";
import { startTestBot, tempDir, TEST_SECRET, type TestBot } from "../../support/bot.ts";
import { startFakeModel, type FakeModel, type ModelRequest } from "../../support/fake-model.ts";
import { startOpencodeServer, type OpencodeServer } from "../../support/opencode.ts";
import { pushAndDeliver } from "../../support/loop-push.ts";
import { waitFor } from "../../support/wait.ts";

// The whole bot with its loop sessions on a real `opencode serve` (opencode-ai 1.18.33, offline)
// and a fake model: pings, supervision and phase advance through the opencode-server backend.
// One opencode server for the file; each test has its own bot, loop repo and session titles.
// The supervisor's time is a ManualClock starting at the real time (opencode's retry times are
// real), ticked by the test.

const REPO = "ops/cc-ci";
const PASSWORD = "oc-test-password-1234";
const S = 1000;
let model: FakeModel;
let server: OpencodeServer;

beforeAll(async () => {
  model = await startFakeModel();
  server = await startOpencodeServer({ modelUrl: model.url, password: PASSWORD });
  process.env.CCCI_TEST_OPENCODE_PASSWORD = PASSWORD;
}, 60_000);

afterAll(async () => {
  delete process.env.CCCI_TEST_OPENCODE_PASSWORD;
  await server?.stop();
  await model?.stop();
  expect(server.proxy.targets).toEqual([]);
});

interface World {
  bot: TestBot;
  emu: GiteaEmulator;
  repo: LoopRepo;
  clock: ManualClock;
  builder: string;
  adversary: string;
  /** The model's requests from here on. */
  since: () => ModelRequest[];
  actions: (name: string) => Promise<string[]>;
}

let worlds: World[] = [];
afterEach(async () => {
  model.set({ kind: "reply" });
  model.release();
  for (const w of worlds) {
    await w.bot.dispose().catch(() => undefined);
    await w.emu.close();
  }
  worlds = [];
});

const PHASES = [
  { id: "1", plan: "plan-phase1.md", status: "machine-docs/STATUS-1.md" },
  { id: "2", plan: "plan-phase2.md", status: "machine-docs/STATUS-2.md" },
];

async function world(phases: unknown[] = [], url?: string, schedules: unknown[] = []): Promise<World> {
  const dir = tempDir();
  const repo = new LoopRepo(dir);
  const tag = Math.random().toString(36).slice(2, 7);
  const builder = `cc-ci-builder-${tag}`;
  const adversary = `cc-ci-adv-${tag}`;
  const emu = await new GiteaEmulator().start();
  emu.state.addUser("agent");
  emu.state.addRepo(REPO);
  const clock = new ManualClock(Date.now());
  const session = (title: string) => ({ backend: "opencode-server", title, prompt: `You are ${title}.` });
  const bot = await startTestBot({
    dataDir: `${dir}/data`,
    clock,
    supervise: false,
    overrides: {
      gitea: { url: emu.url },
      opencode: { url: url ?? server.url, ...(url ? { timeoutSeconds: 2 } : {}), passwordEnv: "CCCI_TEST_OPENCODE_PASSWORD" },
      loops: [{ name: "cc-ci", repo: REPO, cloneUrl: repo.bare, sessions: { builder: session(builder), adversary: session(adversary) }, phases }],
      supervisor: { schedules },
    },
  });
  emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
  await bot.catchUp.loops.sweep();
  const mark = model.requests.length;
  const w: World = {
    bot,
    emu,
    repo,
    clock,
    builder,
    adversary,
    since: () => model.requests.slice(mark),
    actions: async (name) => (await bot.store.supervisor.actions(50, name)).map((a) => a.reason).reverse(),
  };
  worlds.push(w);
  return w;
}

const push = (w: World, ...specs: CommitSpec[]): Promise<EmuCommit[]> => pushAndDeliver(w.repo, w.emu, REPO, ...specs);

/** The first tick finds no session with either title and starts both with their kickoffs. */
async function startBoth(w: World): Promise<void> {
  await w.bot.supervisor.tick();
  const started = (name: string) => w.since().filter((r) => r.userMessages.length === 1 && r.prompt.endsWith(`You are ${name}.`)).length === 1;
  await waitFor(() => started(w.builder) && started(w.adversary), "both kickoffs to reach the model", 30_000).catch(async (err: Error) => {
    throw new Error(`${err.message}; the model got ${JSON.stringify(w.since().map((r) => r.prompt))}; adversary ${JSON.stringify(await w.bot.agents.state(w.adversary))} ${server.output().slice(-3000)}`);
  });
  await idle(w, w.builder);
  await idle(w, w.adversary);
}

const idle = (w: World, name: string) => waitFor(async () => (await w.bot.agents.state(name)).kind === "idle", `${name} to be idle`, 30_000);
const asks = (reqs: ModelRequest[], text: string) => reqs.filter((r) => r.prompt === text);

describe("loop sessions on an opencode server (real opencode, fake model)", () => {
  it("a scheduled job on the opencode server: its slot starts a session with its title and prompt; a busy one is left alone", async () => {
    const upgrader = `cc-ci-upgrader-${Math.random().toString(36).slice(2, 7)}`;
    const prompt = "Run /upgrade-all over the recipes.";
    const w = await world([], undefined, [{ name: "upgrader", cron: "0 3 * * 6", backend: "opencode-server", title: upgrader, prompt }]);
    await startBoth(w);
    // First sight of the schedule: its next slot is recorded, nothing starts.
    expect(await w.actions(upgrader)).toEqual([]);
    const slot = (await w.bot.store.supervisor.state(upgrader)).nextSlot!;
    expect(new Date(slot).getUTCDay()).toBe(6);
    model.once({ kind: "slow", text: "upgrading" });
    w.clock.set(slot + 60 * S);
    await w.bot.supervisor.tick();
    expect(await w.actions(upgrader)).toEqual(["schedule"]);
    // A new session of its own: the job's prompt is its first message.
    const req = await waitFor(() => asks(w.since(), prompt)[0], "the job's prompt to reach the model", 30_000);
    expect(req.userMessages).toEqual([prompt]);
    await waitFor(async () => (await w.bot.agents.state(upgrader)).kind === "busy", "the job's turn to be running", 30_000);
    // The next week's slot finds it still busy (mode start): left alone, no second prompt.
    w.clock.set(slot + 7 * 24 * 3600 * S + 60 * S);
    await w.bot.supervisor.tick();
    expect(await w.actions(upgrader)).toEqual(["schedule", "schedule"]);
    const [last] = await w.bot.store.supervisor.actions(1, upgrader);
    expect(last!.detail).toMatch(/busy, left alone/);
    model.release();
    await idle(w, upgrader);
    expect(asks(w.since(), prompt)).toHaveLength(1);
  }, 90_000);

  it("starts absent sessions with their kickoff, and a claim ping reaches the model as the adversary's next prompt", async () => {
    const w = await world();
    await startBoth(w);
    expect(await w.actions(w.adversary)).toEqual(["dead"]);
    const [claim] = await push(w, { subject: "claim(gate-1): take gate 1" });
    const ping = `[cc-ci-bot] cc-ci: ${claim!.sha.slice(0, 7)} claim(gate-1): take gate 1`;
    const req = await waitFor(() => asks(w.since(), ping)[0], "the ping to reach the model", 30_000);
    // The adversary's own conversation: its kickoff, then the ping.
    expect(req.userMessages).toEqual([`You are ${w.adversary}.`, ping]);
    await w.bot.messenger.idle();
    const [stored] = await w.bot.store.pings.recent(1);
    expect(stored).toMatchObject({ state: "delivered", session: w.adversary });
  }, 90_000);

  it("a ping to a busy session is delivered after the turn, once", async () => {
    const w = await world();
    await startBoth(w);
    model.once({ kind: "slow", text: "gate 1 reviewed" });
    await push(w, { subject: "claim(gate-1): first" });
    await waitFor(() => model.holding === 1, "the adversary's turn to be running", 30_000);
    expect((await w.bot.agents.state(w.adversary)).kind).toBe("busy");
    const [second] = await push(w, { subject: "claim(gate-2): second" });
    const ping = `[cc-ci-bot] cc-ci: ${second!.sha.slice(0, 7)} claim(gate-2): second`;
    await w.bot.dispatcher.idle();
    await w.bot.messenger.idle();
    expect(asks(w.since(), ping)).toEqual([]); // not while the turn runs
    model.release();
    await waitFor(() => asks(w.since(), ping).length === 1, "the queued ping after the turn", 30_000);
    await idle(w, w.adversary);
    expect(asks(w.since(), ping)).toHaveLength(1);
  }, 90_000);

  it("a 429 window: no healing inside it, then one nudge", async () => {
    const w = await world();
    await startBoth(w);
    model.set({ kind: "limit", retryAfterSeconds: 3 });
    await w.bot.agents.submit(w.builder, "carry on with gate 3");
    await waitFor(async () => (await w.bot.agents.state(w.builder)).kind === "limit", "the retry status", 30_000);
    await w.bot.supervisor.tick();
    expect((await w.actions(w.builder)).at(-1)).toBe("limit");
    const window = (await w.bot.store.supervisor.state(w.builder)).limit!;
    expect(window.parsed).toBe(true);
    model.set({ kind: "reply", text: "gate 3 done" });
    await idle(w, w.builder); // opencode retried by itself
    // Inside the window (clock before its end): nothing at all, even long after the idle time would have passed.
    w.clock.set(window.until - 1);
    await w.bot.supervisor.tick();
    expect(await w.actions(w.builder)).toEqual(["dead", "limit"]);
    w.clock.set(window.until + 1);
    await w.bot.supervisor.tick();
    await w.bot.supervisor.tick();
    expect(await w.actions(w.builder)).toEqual(["dead", "limit", "nudge"]);
    await waitFor(() => asks(w.since(), NUDGE).length === 1, "the nudge to reach the model", 30_000);
    await idle(w, w.builder);
    expect(asks(w.since(), NUDGE)).toHaveLength(1);
  }, 120_000);

  it("WAITING-UNTIL is honoured: no restart before its time + grace, a fresh session with the kickoff after", async () => {
    const w = await world();
    await startBoth(w);
    const until = w.clock.now() + 30 * 60 * S;
    model.once({ kind: "waiting", until: new Date(until).toISOString() });
    await w.bot.agents.submit(w.builder, "wait for run 42");
    await waitFor(async () => (await w.bot.agents.state(w.builder)).kind === "waiting", "the waiting reply", 30_000);
    const kickoffs = () => asks(w.since(), `You are ${w.builder}.`).length;
    for (const t of [w.clock.now() + 10 * 60 * S, until, until + 179 * S]) {
      w.clock.set(t);
      await w.bot.supervisor.tick();
    }
    // (The adversary, idle all that time, is restarted for it; the builder is not.)
    expect(await w.actions(w.builder)).toEqual(["dead"]);
    expect(kickoffs()).toBe(1);
    const before = w.since().length;
    w.clock.set(until + 181 * S);
    await w.bot.supervisor.tick();
    expect(await w.actions(w.builder)).toEqual(["dead", "stall"]);
    await waitFor(() => w.since().slice(before).some((r) => r.userMessages.length === 1 && r.prompt === `You are ${w.builder}.`), "the kickoff in a new session", 30_000);
  }, 90_000);

  it("a non-retryable 400 on the last turn → a fresh session with the kickoff", async () => {
    const w = await world();
    await startBoth(w);
    model.once({ kind: "error" });
    await w.bot.agents.submit(w.adversary, "review gate 4");
    await waitFor(async () => (await w.bot.agents.state(w.adversary)).kind === "fatal", "the failed turn", 30_000);
    const before = w.since().length;
    await w.bot.supervisor.tick();
    expect(await w.actions(w.adversary)).toEqual(["dead", "fatal"]);
    const fresh = await waitFor(() => w.since().slice(before).find((r) => r.prompt === `You are ${w.adversary}.`), "the kickoff", 30_000);
    expect(fresh.userMessages).toHaveLength(1);
    await idle(w, w.adversary);
    await w.bot.supervisor.tick();
    expect(await w.actions(w.adversary)).toEqual(["dead", "fatal"]);
  }, 90_000);

  it("phase advance → the next phase's kickoff reaches a new session", async () => {
    const w = await world(PHASES);
    await startBoth(w);
    const loop = w.bot.config.loops[0]!;
    expect(w.since().map((r) => r.prompt)).toContain(kickoff(loop, loop.phases[0]!, `You are ${w.builder}.`));
    const before = w.since().length;
    await push(w, { subject: "status: phase 1 done", files: { "machine-docs/STATUS-1.md": "# 1\n## DONE\n" } });
    const next = kickoff(loop, loop.phases[1]!, `You are ${w.builder}.`);
    const req = await waitFor(() => w.since().slice(before).find((r) => r.prompt === next), "phase 2's kickoff", 30_000);
    expect(req.userMessages).toEqual([next]);
    expect(await w.bot.phases.state(loop)).toEqual({ index: 1, complete: false });
  }, 90_000);

  it("a server that does not answer is one operator alert, not a restart loop", async () => {
    const w = await world([], "http://127.0.0.1:9");
    for (let i = 0; i < 3; i++) {
      w.clock.advance(30 * S);
      await w.bot.supervisor.tick();
    }
    expect(await w.actions(w.builder)).toEqual(["alert"]);
    const [action] = await w.bot.store.supervisor.actions(1, w.builder);
    expect(action!.detail).toMatch(/does not answer/);
  }, 60_000);
});
