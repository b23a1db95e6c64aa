import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { pino } from "pino";
import { ManualClock } from "../../src/clock.ts";
import { createMetrics } from "../../src/metrics.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { Messenger } from "../../src/supervisor/messenger.ts";
import { profileFor } from "../../src/supervisor/profiles/index.ts";
import type { SessionSpec } from "../../src/supervisor/sessions.ts";
import { TmuxSessions, type TmuxAgent } from "../../src/supervisor/tmux-sessions.ts";
import { NUDGE, Supervisor, type ManagedSession } from "../../src/supervisor/supervisor.ts";
import { DEFAULT_LIMIT_PATTERNS } from "../../src/loops/sanitize.ts";
import { Agents } from "../support/agents.ts";
import { tempDir } from "../support/bot.ts";
import { waitFor } from "../support/wait.ts";

const S = 1000;
const patterns = {
  fatal: [/redacted_thinking/i, /blocks cannot be modified/i],
  limit: [...DEFAULT_LIMIT_PATTERNS],
  busy: [/esc to interrupt/i],
};

interface Rig {
  agents: Agents;
  store: Store;
  clock: ManualClock;
  probeAnswers: boolean[];
  alerts: string[];
  make: (sessions: ManagedSession[]) => Supervisor;
  session: (name: string, extra?: Partial<ManagedSession>, ...flags: string[]) => ManagedSession;
  actions: (name: string) => Promise<string[]>;
}

let rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs) {
    await r.store.close();
    await r.agents.close();
  }
  rigs = [];
});

async function rig(): Promise<Rig> {
  const dir = tempDir();
  const agents = new Agents(dir);
  const store = openStore(join(dir, "data"));
  const clock = new ManualClock(Date.parse("2026-11-24T10:00:00Z"));
  // Errors the supervisor swallows per session would otherwise hide why a test timed out.
  const log = pino({ level: "error" }, { write: (line: string) => void (line.includes('"err"') && process.stderr.write(`supervisor: ${line}`)) });
  const specs = new Map<string, TmuxAgent>();
  const backend = new TmuxSessions({ tmux: agents.tmux, agents: specs, clock, log });
  const messenger = new Messenger({ agents: backend, store: store.pings, clock, log, metrics: createMetrics() });
  const probeAnswers: boolean[] = [];
  const alerts: string[] = [];
  const r: Rig = {
    alerts,
    agents,
    store,
    clock,
    probeAnswers,
    make: (sessions) =>
      new Supervisor({
        sessions,
        agents: backend,
        afterStart: () => messenger.wake(),
        alert: async (kind, subject, message) => void alerts.push(`${kind} ${subject}: ${message}`),
        store: store.supervisor,
        clock,
        log,
        metrics: createMetrics(),
        stallGraceMs: 180 * S,
        stallIdleMs: 300 * S,
        probe: async () => probeAnswers.shift() ?? false,
      }),
    session: (name, extra = {}, ...flags) => {
      const spec: SessionSpec = { tmux: name, start: agents.argv(name, "--show", agents.showFile(name), ...flags), promptVia: "typed" };
      specs.set(name, { ...spec, profile: profileFor("generic", spec.start) });
      return { kind: "loop", spec, kickoff: async () => `kickoff for ${name}`, ...extra };
    },
    actions: async (name) => (await store.supervisor.actions(50, name)).map((a) => a.reason).reverse(),
  };
  rigs.push(r);
  return r;
}

/** Starts a session's agent the way the supervisor would (so restarts reuse the same argv). */
async function up(r: Rig, s: ManagedSession): Promise<void> {
  await r.agents.tmux.newSession(s.spec.tmux, { argv: s.spec.start });
  await r.agents.ready(s.spec.tmux);
}

describe("supervisor (real tmux, scriptable agent, injected clock)", () => {
  it("respects WAITING-UNTIL: no reboot 37 s after it (the historical false reboot), a reboot past the grace", async () => {
    const r = await rig();
    const s = r.session("sv-wait");
    await up(r, s);
    const sup = r.make([s]);
    const marker = r.clock.now() + 60 * S;
    await r.agents.show("sv-wait", `WAITING-UNTIL: ${new Date(marker).toISOString().replace(/\.\d{3}Z$/, "Z")}`);
    r.clock.set(marker + 37 * S);
    await sup.tick();
    expect(r.agents.starts("sv-wait")).toBe(1);
    r.clock.set(marker + 181 * S);
    await sup.tick();
    await waitFor(() => r.agents.starts("sv-wait") === 2, "the reboot");
    expect(await r.actions("sv-wait")).toEqual(["stall"]);
    await waitFor(() => r.agents.received("sv-wait").includes("kickoff for sv-wait"), "the kickoff");
  });

  it("reboots a pane unchanged for 300 s, not at 299 s, and never one that keeps changing", async () => {
    const r = await rig();
    const quiet = r.session("sv-quiet");
    const lively = r.session("sv-lively");
    await up(r, quiet);
    await up(r, lively);
    const sup = r.make([quiet, lively]);
    await sup.tick();
    await r.agents.show("sv-lively", "working on step 1");
    r.clock.advance(299 * S);
    await sup.tick();
    expect(await r.actions("sv-quiet")).toEqual([]);
    expect(r.agents.starts("sv-quiet")).toBe(1);
    for (let i = 2; i <= 3; i++) {
      await r.agents.show("sv-lively", `working on step ${i}`);
      r.clock.advance(i === 2 ? 2 * S : 300 * S);
      await sup.tick();
    }
    await waitFor(() => r.agents.starts("sv-quiet") === 2, "the idle reboot at 301 s");
    expect((await r.actions("sv-quiet"))[0]).toBe("idle");
    expect(r.agents.starts("sv-lively")).toBe(1);
    expect(await r.actions("sv-lively")).toEqual([]);
  });

  it("kills a session on a fatal banner and starts it fresh with its kickoff", async () => {
    const r = await rig();
    const s = r.session("sv-fatal");
    await up(r, s);
    const sup = r.make([s]);
    await r.agents.show("sv-fatal", "API Error: 400 messages.3: thinking or redacted_thinking blocks cannot be modified");
    await sup.tick();
    await waitFor(() => r.agents.starts("sv-fatal") === 2, "the fresh start");
    await waitFor(() => r.agents.received("sv-fatal").includes("kickoff for sv-fatal"), "the kickoff");
    expect(await r.actions("sv-fatal")).toEqual(["fatal"]);
  });

  it("starts a dead session", async () => {
    const r = await rig();
    const s = r.session("sv-dead");
    const sup = r.make([s]);
    await sup.tick();
    await waitFor(() => r.agents.starts("sv-dead") === 1, "the start");
    expect(await r.actions("sv-dead")).toEqual(["dead"]);
  });

  it("does nothing at all inside a limit window, even idle or fatal, then sends exactly one nudge", async () => {
    const r = await rig();
    const s = r.session("sv-limit");
    await up(r, s);
    const sup = r.make([s]);
    const reset = Date.parse("2026-11-24T15:00:00Z");
    await r.agents.show("sv-limit", "Claude usage limit reached. Your limit will reset at 3pm (UTC).");
    await sup.tick();
    expect(await r.actions("sv-limit")).toEqual(["limit"]);
    const state = await r.store.supervisor.state("sv-limit");
    expect(state.limit).toEqual({ until: reset + 45 * S, parsed: true, probes: 0 });

    await r.agents.show("sv-limit", "redacted_thinking blocks cannot be modified");
    r.clock.set(reset + 44 * S); // idle for hours and showing a fatal banner: still inside the window
    await sup.tick();
    expect(await r.actions("sv-limit")).toEqual(["limit"]);
    expect(r.agents.starts("sv-limit")).toBe(1);

    r.clock.set(reset + 46 * S);
    await sup.tick();
    await waitFor(() => r.agents.received("sv-limit").length === 1, "the nudge");
    expect(r.agents.received("sv-limit")).toEqual([NUDGE]);
    expect(NUDGE).not.toMatch(patterns.limit[0]!);
    expect(await r.actions("sv-limit")).toEqual(["limit", "nudge"]);
  });

  it("probes every 5 minutes when the reset time cannot be read (the probe is the nudge), and warns after 3 fruitless probes", async () => {
    const r = await rig();
    const s = r.session("sv-probe");
    await up(r, s);
    const sup = r.make([s]);
    await r.agents.show("sv-probe", "You are out of credits.");
    await sup.tick();
    for (let i = 0; i < 3; i++) {
      r.clock.advance(299 * S);
      await sup.tick(); // not yet
      expect(r.agents.received("sv-probe")).toHaveLength(i);
      r.clock.advance(2 * S);
      await sup.tick();
      await waitFor(() => r.agents.received("sv-probe").length === i + 1, `probe ${i + 1}`);
      // The agent's answer to the probe (a line of its own: show() waits until it is on the pane).
      await r.agents.show("sv-probe", `You are out of credits. (answer ${i + 1})`);
    }
    expect(await r.actions("sv-probe")).toEqual(["limit", "probe", "probe", "probe", "limit-warning"]);
    expect(r.agents.received("sv-probe")).toEqual([NUDGE, NUDGE, NUDGE]);
    // A probe that gets through ends the window: no further nudge, normal supervision again.
    r.clock.advance(301 * S);
    await sup.tick();
    r.clock.advance(301 * S);
    await sup.tick();
    expect(r.agents.received("sv-probe")).toEqual([NUDGE, NUDGE, NUDGE, NUDGE]);
    expect((await r.actions("sv-probe")).slice(5)).toEqual(["probe", "limit-warning", "limit-over"]);
    expect(r.agents.starts("sv-probe")).toBe(1);
  });

  it("keeps a limit window across a restart of the bot", async () => {
    const r = await rig();
    const s = r.session("sv-restart");
    await up(r, s);
    await r.agents.show("sv-restart", "Limit reached. Try again in 2 hours.");
    await r.make([s]).tick();
    const again = r.make([s]); // a new process: state comes from the store
    await r.agents.show("sv-restart", "redacted_thinking");
    r.clock.advance(3600 * S);
    await again.tick();
    expect(await r.actions("sv-restart")).toEqual(["limit"]);
    expect(r.agents.starts("sv-restart")).toBe(1);
  });

  it("never reboots a busy session, however long", async () => {
    const r = await rig();
    const s = r.session("sv-busy", {}, "--busy");
    await up(r, s);
    const sup = r.make([s]);
    for (let i = 0; i < 5; i++) {
      await sup.tick();
      r.clock.advance(3600 * S);
    }
    expect(await r.actions("sv-busy")).toEqual([]);
    expect(r.agents.starts("sv-busy")).toBe(1);
  });

  it("starts the orchestrator only when none is alive anywhere, and once", async () => {
    const r = await rig();
    const o: ManagedSession = { ...r.session("sv-orch"), kind: "orchestrator", aliveProbe: ["pgrep", "-f", "claude --resume"], kickoff: async () => undefined };
    const sup = r.make([o]);
    r.probeAnswers.push(true); // a hand-launched orchestrator answers the probe
    await sup.tick();
    expect(r.agents.starts("sv-orch")).toBe(0);
    r.probeAnswers.push(false, false);
    await sup.tick();
    await waitFor(() => r.agents.starts("sv-orch") === 1, "the start");
    await r.agents.ready("sv-orch");
    await sup.tick();
    expect(r.agents.starts("sv-orch")).toBe(1);
    expect(await r.actions("sv-orch")).toEqual(["dead"]);
  });

  it("runs the scheduled upgrader per cron slot: busy left alone, idle started fresh, fresh always, once per slot across a restart", async () => {
    const r = await rig();
    r.clock.set(Date.parse("2026-11-27T12:00:00Z")); // a Friday
    const job = (mode: "start" | "fresh", ...flags: string[]): ManagedSession => ({
      ...r.session(`sv-up-${mode}`, {}, ...flags),
      kind: "scheduled",
      cron: "0 3 * * 6",
      mode,
      kickoff: async () => "/upgrade-all",
    });
    const busy = job("start", "--busy");
    const fresh = job("fresh", "--busy");
    await up(r, busy);
    await up(r, fresh);
    await r.make([busy, fresh]).tick(); // first sight: the next slot is Saturday 03:00
    r.clock.set(Date.parse("2026-11-28T03:00:30Z"));
    const sup = r.make([busy, fresh]);
    await sup.tick();
    await waitFor(() => r.agents.starts("sv-up-fresh") === 2, "the fresh job to restart");
    expect(r.agents.starts("sv-up-start")).toBe(1);
    expect((await r.store.supervisor.actions(5, "sv-up-start"))[0]!.detail).toMatch(/busy, left alone/);
    // Restarted bot, same slot: nothing fires again.
    await r.make([busy, fresh]).tick();
    expect(r.agents.starts("sv-up-fresh")).toBe(2);

    const idle: ManagedSession = { ...r.session("sv-up-idle"), kind: "scheduled", cron: "0 3 * * 6", mode: "start", kickoff: async () => "/upgrade-all" };
    await r.agents.tmux.newSession("sv-up-idle", { argv: idle.spec.start });
    await r.agents.ready("sv-up-idle");
    r.clock.set(Date.parse("2026-11-30T00:00:00Z"));
    await r.make([idle]).tick();
    r.clock.set(Date.parse("2026-12-05T03:00:05Z"));
    await r.make([idle]).tick();
    await waitFor(() => r.agents.starts("sv-up-idle") === 2, "the idle job to start fresh");
    await waitFor(() => r.agents.received("sv-up-idle").includes("/upgrade-all"), "its prompt");
  });

  it("takes no action of any kind on a paused session, and acts again once resumed", async () => {
    const r = await rig();
    const s = r.session("sv-pause");
    const sup = r.make([s]);
    expect(await sup.setPaused("sv-pause", true)).toBe(true);
    await sup.tick();
    r.clock.advance(3600 * S);
    await sup.tick();
    expect(r.agents.starts("sv-pause")).toBe(0);
    await sup.setPaused("sv-pause", false);
    await sup.tick();
    await waitFor(() => r.agents.starts("sv-pause") === 1, "the start after resuming");
    expect(await r.actions("sv-pause")).toEqual(["pause", "resume", "dead"]);
  });
});
