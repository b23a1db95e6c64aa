import { afterEach, describe, expect, it } from "vitest";
import { opencodeWorld, startBoth, useOpencodeServer, type OpencodeWorld } from "../support/opencode-world.ts";
import { waitFor } from "../support/wait.ts";

// The opencode-server backend: a real `opencode serve` (offline, fake model) behind a gate the
// test closes and opens. The builder is waiting for its own WAITING-UNTIL when the server goes
// down; once the server is back its alert must clear (it stayed for good before: the waiting
// branch returned first), so that the next outage is alerted again.

const S = 1000;
const opencode = useOpencodeServer();
let w: OpencodeWorld | undefined;
afterEach(async () => {
  await w?.dispose();
  w = undefined;
});

describe("an alert follows its cause (opencode-server backend)", () => {
  it("a waiting session's server-down alert clears when the server is back, and a second outage alerts again", async () => {
    w = await opencodeWorld(opencode.server(), opencode.model());
    await startBoth(w);
    const until = w.clock.now() + 30 * 60 * S;
    opencode.model().once({ kind: "waiting", until: new Date(until).toISOString() });
    await w.bot.agents.submit(w.builder, "wait for run 42");
    await waitFor(async () => (await w!.bot.agents.state(w!.builder)).kind === "waiting", "the waiting reply", 30_000);

    const alertOf = async (name: string) => {
      const { sessions } = (await (await fetch(`${w!.bot.url}/api/sessions`)).json()) as { sessions: Array<{ name: string; state: { alert?: string | null } }> };
      return sessions.find((s) => s.name === name)?.state.alert ?? null;
    };
    const builderAlerts = async () => (await w!.bot.store.loops.alerts(50)).filter((a) => a.subject === w!.builder && a.kind === "server-down").length;

    await w.gate.cut();
    w.clock.advance(30 * S);
    await w.bot.supervisor.tick();
    expect(await alertOf(w.builder)).toBe("server-down");
    expect(await builderAlerts()).toBe(1);

    await w.gate.restore();
    w.clock.advance(30 * S);
    await w.bot.supervisor.tick();
    expect((await w.bot.agents.state(w.builder)).kind).toBe("waiting");
    expect(await alertOf(w.builder)).toBeNull();

    await w.gate.cut();
    w.clock.advance(30 * S);
    await w.bot.supervisor.tick();
    expect(await builderAlerts()).toBe(2);
    const reasons = (await w.bot.store.supervisor.actions(20, w.builder)).map((a) => a.reason).reverse();
    expect(reasons).toEqual(["dead", "alert", "alert-cleared", "alert"]);
  }, 120_000);
});
