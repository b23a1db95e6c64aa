import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { pino } from "pino";
import { ManualClock } from "../../src/clock.ts";
import { createMetrics } from "../../src/metrics.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { Pings } from "../../src/loops/pings.ts";
import { operatorAlerts } from "../../src/supervisor/operator-alert.ts";
import { GENERIC_PATTERNS } from "../../src/supervisor/profiles/generic.ts";
import { tempDir } from "../support/bot.ts";

describe("operator alerts about agent sessions (real SQLite store)", () => {
  let store: Store;
  afterEach(() => store.close());

  const setup = (orchestratorSession: string | null) => {
    store = openStore(join(tempDir(), "data"));
    const metrics = createMetrics();
    let wakes = 0;
    const clock = new ManualClock(Date.parse("2026-11-29T20:00:00Z"));
    const pings = new Pings({ store: store.pings, clock, limitPatterns: GENERIC_PATTERNS.limit, wake: () => void wakes++ });
    const raise = operatorAlerts({ store, metrics, clock, log: pino({ level: "silent" }), orchestratorSession, pings });
    return { raise, metrics, wakes: () => wakes };
  };

  it("stores, counts and tells the orchestrator, as a force-push alert does", async () => {
    const { raise, metrics, wakes } = setup("cc-ci-orchestrator");
    await raise("credentials", "cc-ci-builder", "Invalid API key · Fix external API key");
    expect(await store.loops.alerts(10)).toMatchObject([{ kind: "credentials", subject: "cc-ci-builder", message: "Invalid API key · Fix external API key" }]);
    expect((await metrics.alerts.get()).values).toMatchObject([{ labels: { kind: "credentials" }, value: 1 }]);
    const pings = await store.pings.recent(10);
    expect(pings).toMatchObject([{ role: "orchestrator", session: "cc-ci-orchestrator", text: "[cc-ci-bot] alert: session cc-ci-builder: Invalid API key · Fix external API key", state: "queued" }]);
    expect(wakes()).toBe(1);
  });

  it("does not type into the orchestrator when the orchestrator is the session in trouble, or when there is none", async () => {
    const own = setup("cc-ci-orchestrator");
    await own.raise("credentials", "cc-ci-orchestrator", "Invalid API key");
    expect(await store.pings.recent(10)).toEqual([]);
    expect(await store.loops.alerts(10)).toHaveLength(1);
    await store.close();
    const none = setup(null);
    await none.raise("server-down", "cc-ci-builder", "the opencode server does not answer");
    expect(await store.pings.recent(10)).toEqual([]);
    expect(none.wakes()).toBe(0);
  });
});
