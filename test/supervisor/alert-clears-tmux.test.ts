import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { pino } from "pino";
import { ManualClock } from "../../src/clock.ts";
import { createMetrics } from "../../src/metrics.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { profileFor } from "../../src/supervisor/profiles/index.ts";
import type { SessionSpec } from "../../src/supervisor/sessions.ts";
import { Supervisor, type ManagedSession } from "../../src/supervisor/supervisor.ts";
import { TmuxSessions } from "../../src/supervisor/tmux-sessions.ts";
import { Agents } from "../support/agents.ts";
import { tempDir } from "../support/bot.ts";

// The tmux backend: a real tmux server and a scriptable agent whose screen shows what the test
// appends (the credentials banner, output, the agent's WAITING-UNTIL reply). The alert a
// session's screen raises must clear once the screen no longer shows its cause, whatever the
// session does meanwhile (waiting for its own wake-up, paused), so a second outage alerts again.

const S = 1000;
const BANNER = "Invalid API key · Please run /login";
let open: Array<{ store: Store; agents: Agents }> = [];
afterEach(async () => {
  for (const o of open) {
    await o.store.close();
    await o.agents.close();
  }
  open = [];
});

async function rig(name: string) {
  const dir = tempDir();
  const agents = new Agents(dir);
  const store = openStore(join(dir, "data"));
  open.push({ store, agents });
  const clock = new ManualClock(Date.parse("2026-11-24T10:00:00Z"));
  const log = pino({ level: "silent" });
  const spec: SessionSpec = { tmux: name, start: agents.argv(name, "--show", agents.showFile(name)), promptVia: "typed" };
  const backend = new TmuxSessions({ tmux: agents.tmux, agents: new Map([[name, { ...spec, profile: profileFor("generic", spec.start) }]]), clock, log });
  const alerts: string[] = [];
  const session: ManagedSession = { kind: "loop", spec, kickoff: async () => `kickoff for ${name}` };
  const sup = new Supervisor({
    sessions: [session],
    agents: backend,
    alert: async (kind, subject) => void alerts.push(`${kind} ${subject}`),
    store: store.supervisor,
    clock,
    log,
    metrics: createMetrics(),
    stallGraceMs: 180 * S,
    stallIdleMs: 300 * S,
    probe: async () => false,
  });
  await agents.tmux.newSession(name, { argv: spec.start });
  await agents.ready(name);
  /** The banner scrolls out of the part of the screen that is read; the agent's last reply is `last`. */
  const recover = async (last: string) => {
    for (let i = 0; i < 16; i++) await agents.show(name, `output line ${i}`);
    await agents.show(name, last);
  };
  const waiting = `WAITING-UNTIL: ${new Date(clock.now() + 3600 * S).toISOString().replace(/\.\d{3}Z$/, "Z")}`;
  const stored = async () => (await store.supervisor.state(name)).alert ?? null;
  return { agents, store, clock, sup, alerts, recover, waiting, stored };
}

describe("an alert follows its cause (tmux backend)", () => {
  it("clears while the session waits for its WAITING-UNTIL, and a second outage alerts again", async () => {
    const r = await rig("al-wait");
    await r.agents.show("al-wait", r.waiting);
    await r.agents.show("al-wait", BANNER);
    await r.sup.tick();
    expect(r.alerts).toEqual(["credentials al-wait"]);
    expect(await r.stored()).toBe("credentials");

    await r.recover(r.waiting);
    r.clock.advance(30 * S);
    await r.sup.tick();
    expect(await r.stored()).toBeNull();

    await r.agents.show("al-wait", BANNER);
    r.clock.advance(30 * S);
    await r.sup.tick();
    expect(r.alerts).toEqual(["credentials al-wait", "credentials al-wait"]);
    // Neither outage restarted anything: a restart cannot fix credentials.
    expect(r.agents.starts("al-wait")).toBe(1);
  });

  it("clears while supervision is paused, without acting on the session", async () => {
    const r = await rig("al-pause");
    await r.agents.show("al-pause", BANNER);
    await r.sup.tick();
    expect(await r.stored()).toBe("credentials");
    await r.sup.setPaused("al-pause", true);
    await r.recover("all good again");
    r.clock.advance(600 * S);
    await r.sup.tick();
    expect(await r.stored()).toBeNull();
    const reasons = (await r.store.supervisor.actions(10, "al-pause")).map((a) => a.reason).reverse();
    expect(reasons).toEqual(["alert", "pause", "alert-cleared"]);
    expect(r.agents.starts("al-pause")).toBe(1);
  });
});
