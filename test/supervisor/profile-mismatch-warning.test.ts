import { afterEach, describe, expect, it } from "vitest";
import { dirname, join } from "node:path";
import { ManualClock } from "../../src/clock.ts";
import { createMetrics } from "../../src/metrics.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { Supervisor } from "../../src/supervisor/supervisor.ts";
import { TmuxSessions } from "../../src/supervisor/tmux-sessions.ts";
import { Agents } from "../support/agents.ts";
import { tempDir } from "../support/bot.ts";
import { claudeScreen, showClaude } from "../support/claude-screens.ts";
import { captureLog } from "../support/log-capture.ts";
import { configuredAgent, wrapperScript } from "../support/wrapper-script.ts";

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe("a set profile the screen contradicts", () => {
  it.each(["generic", "opencode"] as const)("profile: %s on a Claude Code screen: one warning naming the session and claude-code, not repeated on later ticks", async (set) => {
    const dir = tempDir();
    const agents = new Agents(dir);
    const store: Store = openStore(join(dir, "data"));
    cleanup.push(() => agents.close(), () => store.close());
    const replay = claudeScreen(agents, "cc-builder", "subscription/replied.txt").start;
    const wrapper = wrapperScript(dirname(agents.logOf("cc-builder")), "agent.sh", [replay[0]!, replay[1]!]);
    const agent = configuredAgent("cc-builder", [wrapper, ...replay.slice(2)], set);
    expect(agent).toMatchObject({ profileSet: true, profile: { name: set } });
    const { log, lines } = captureLog();
    const clock = new ManualClock(Date.parse("2026-11-29T19:20:00Z"));
    const backend = new TmuxSessions({ tmux: agents.tmux, agents: new Map([["cc-builder", agent]]), clock, log });
    const sup = new Supervisor({
      sessions: [{ kind: "loop", spec: agent, kickoff: async () => undefined }],
      agents: backend,
      afterStart: () => undefined,
      alert: async () => undefined,
      store: store.supervisor,
      clock,
      log,
      metrics: createMetrics(),
      stallGraceMs: 180_000,
      stallIdleMs: 300_000,
      probe: async () => false,
    });
    await showClaude(agents, agent);
    for (let i = 0; i < 4; i++) {
      await sup.tick();
      clock.advance(30_000);
    }
    const warnings = lines.map((l) => JSON.parse(l) as { level: number; msg: string; session?: string; fits?: string }).filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ session: "cc-builder", profile: set, fits: "claude-code" });
    expect(warnings[0]!.msg).toContain("cc-builder");
    expect(warnings[0]!.msg).toContain("profile: claude-code");
  });

  it("a set profile that fits its screen warns nothing", async () => {
    const dir = tempDir();
    const agents = new Agents(dir);
    cleanup.push(() => agents.close());
    const agent = { ...claudeScreen(agents, "cc", "subscription/idle.txt"), profileSet: true };
    const { log, lines } = captureLog();
    const backend = new TmuxSessions({ tmux: agents.tmux, agents: new Map([["cc", agent]]), clock: new ManualClock(0), log });
    await showClaude(agents, agent);
    expect((await backend.state("cc")).kind).toBe("idle");
    expect(lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 40)).toEqual([]);
  });
});
