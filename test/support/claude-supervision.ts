import { afterEach, expect, it } from "vitest";
import { join } from "node:path";
import { pino } from "pino";
import { ManualClock } from "../../src/clock.ts";
import { createMetrics } from "../../src/metrics.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { Messenger } from "../../src/supervisor/messenger.ts";
import { NUDGE, Supervisor, type ManagedSession } from "../../src/supervisor/supervisor.ts";
import { TmuxSessions, type TmuxAgent } from "../../src/supervisor/tmux-sessions.ts";
import { Agents } from "./agents.ts";
import { tempDir } from "./bot.ts";
import { showClaude } from "./claude-screens.ts";
import { waitFor } from "./wait.ts";

const S = 1000;
const API_429 = "● API Error: Request rejected (429) · This request would exceed your account's rate limit. Please try again later.";

interface Rig {
  agents: Agents;
  store: Store;
  clock: ManualClock;
  alerts: string[];
  sup: Supervisor;
  actions: () => Promise<string[]>;
}

let rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs) {
    await r.store.close();
    await r.agents.close();
  }
  rigs = [];
});

/** How a check starts a session showing a real Claude Code pane (see claude-screens.ts). */
export type ClaudeSpec = (agents: Agents, session: string, fixture: string, ...flags: string[]) => TmuxAgent;

/** One supervised Claude Code session showing a real pane; a restart shows the idle pane. */
async function rig(spec: ClaudeSpec, fixture: string, ...flags: string[]): Promise<Rig> {
  const dir = tempDir();
  const agents = new Agents(dir);
  const store = openStore(join(dir, "data"));
  const clock = new ManualClock(Date.parse("2026-11-29T19:20:00Z"));
  const log = pino({ level: "silent" });
  const shown = spec(agents, "cc", fixture, ...flags);
  const fresh = spec(agents, "cc", fixture.replace(/[^/]+$/, "idle.txt"), ...flags);
  const specs = new Map<string, TmuxAgent>([["cc", fresh]]);
  const backend = new TmuxSessions({ tmux: agents.tmux, agents: specs, clock, log });
  const messenger = new Messenger({ agents: backend, store: store.pings, clock, log, metrics: createMetrics() });
  const alerts: string[] = [];
  const session: ManagedSession = { kind: "loop", spec: fresh, kickoff: async () => "kickoff for cc" };
  const sup = new Supervisor({
    sessions: [session],
    agents: backend,
    afterStart: () => messenger.wake(),
    alert: async (kind, subject, message) => void alerts.push(`${kind} ${subject}: ${message}`),
    store: store.supervisor,
    clock,
    log,
    metrics: createMetrics(),
    stallGraceMs: 180 * S,
    stallIdleMs: 300 * S,
    probe: async () => false,
  });
  await showClaude(agents, shown);
  const r: Rig = { agents, store, clock, alerts, sup, actions: async () => (await store.supervisor.actions(50, "cc")).map((a) => a.reason).reverse() };
  rigs.push(r);
  return r;
}

/**
 * What the supervisor must do on each of Claude Code's real screens (injected clock), for
 * sessions started by `spec`: straight, or through a wrapper script with the profile read from
 * the screen.
 */
export function claudeSupervisionChecks(spec: ClaudeSpec): void {
  it("reads the subscription limit banner's reset (9:42pm UTC), stays quiet until it, then closes the menu and nudges once", async () => {
    const r = await rig(spec, "subscription/limit.txt");
    await r.sup.tick();
    expect(await r.actions()).toEqual(["limit"]);
    expect((await r.store.supervisor.state("cc")).limit).toEqual({ until: Date.parse("2026-11-29T21:42:45Z"), parsed: true, probes: 0 });
    r.clock.set(Date.parse("2026-11-29T21:42:44Z"));
    await r.sup.tick();
    expect(await r.actions()).toEqual(["limit"]);
    r.clock.set(Date.parse("2026-11-29T21:42:46Z"));
    await r.sup.tick();
    expect(r.agents.received("cc")).toEqual([NUDGE]);
    expect(await r.actions()).toEqual(["limit", "nudge"]);
    r.clock.advance(60 * S);
    await r.sup.tick();
    expect(r.agents.received("cc")).toEqual([NUDGE]);
    expect(r.agents.starts("cc")).toBe(1);
  });

  it("probes an API key's 429 (no time) every 5 minutes, the nudge being the probe, while the 429 comes back", async () => {
    const r = await rig(spec, "api-key/limit.txt", "--answer", API_429);
    await r.sup.tick();
    expect(await r.actions()).toEqual(["limit"]);
    r.clock.advance(299 * S);
    await r.sup.tick();
    expect(r.agents.received("cc")).toEqual([]);
    r.clock.advance(2 * S);
    await r.sup.tick(); // probe 1: answered by another 429
    expect(r.agents.received("cc")).toEqual([NUDGE]);
    r.clock.advance(301 * S);
    await r.sup.tick(); // still limited: probe 2
    expect(await r.actions()).toEqual(["limit", "probe", "probe"]);
    expect(r.agents.received("cc")).toEqual([NUDGE, NUDGE]);
    expect(r.agents.starts("cc")).toBe(1);
  });

  it("honours WAITING-UNTIL in the last reply despite an old 400 higher up: no restart before the time + grace, one after", async () => {
    const r = await rig(spec, "subscription/waiting.txt");
    r.clock.set(Date.parse("2026-11-29T19:12:21Z") + 37 * S);
    await r.sup.tick();
    r.clock.set(Date.parse("2026-11-29T19:12:21Z") + 170 * S);
    await r.sup.tick();
    expect(await r.actions()).toEqual([]);
    expect(r.agents.starts("cc")).toBe(1);
    r.clock.set(Date.parse("2026-11-29T19:12:21Z") + 181 * S);
    await r.sup.tick();
    expect(await r.actions()).toEqual(["stall"]);
    expect(r.agents.starts("cc")).toBe(2);
    await waitFor(() => r.agents.received("cc").includes("kickoff for cc"), "the kickoff typed into the fresh session");
  });

  it("starts fresh when the 400 is the newest event", async () => {
    const r = await rig(spec, "api-key/error.txt");
    await r.sup.tick();
    expect(await r.actions()).toEqual(["fatal"]);
    await waitFor(() => r.agents.received("cc").includes("kickoff for cc"), "the kickoff");
    expect(r.agents.starts("cc")).toBe(2);
  });

  it("raises one operator alert for Invalid API key and never restarts", async () => {
    const r = await rig(spec, "api-key/auth-error.txt");
    for (let i = 0; i < 4; i++) {
      await r.sup.tick();
      r.clock.advance(3600 * S);
    }
    expect(r.alerts).toEqual(["credentials cc: Invalid API key · Fix external API key"]);
    expect(await r.actions()).toEqual(["alert"]);
    expect(r.agents.starts("cc")).toBe(1);
  });

  it("leaves a session that retries a 529 by itself alone", async () => {
    const r = await rig(spec, "subscription/retrying.txt");
    for (let i = 0; i < 3; i++) {
      await r.sup.tick();
      r.clock.advance(3600 * S);
    }
    expect(await r.actions()).toEqual([]);
    expect(r.agents.starts("cc")).toBe(1);
  });
}
