import { afterAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { pino } from "pino";
import { ManualClock } from "../../src/clock.ts";
import { Pings } from "../../src/loops/pings.ts";
import { createMetrics } from "../../src/metrics.ts";
import { openStore } from "../../src/store/index.ts";
import { Messenger } from "../../src/supervisor/messenger.ts";
import { TmuxSessions } from "../../src/supervisor/tmux-sessions.ts";
import { Agents } from "../support/agents.ts";
import { tempDir } from "../support/bot.ts";
import { waitFor } from "../support/wait.ts";

// The tmux backend, a real tmux server and a fake agent, real SQLite, the messenger on a
// hand-driven clock. The agent's session is down while two pings queue for it: the first is
// tried and waits for its retry, the bot restarts, the session comes back. The second must not
// overtake the first (it did: each ping was retried on its own timer, and the second was due).

describe("pings to one session arrive in the order queued (tmux backend)", () => {
  const dir = tempDir();
  const agents = new Agents(dir);
  const store = openStore(join(dir, "data"));
  const clock = new ManualClock(Date.parse("2026-11-24T10:00:00Z"));
  const log = pino({ level: "silent" });
  const messenger = () =>
    new Messenger({ agents: new TmuxSessions({ tmux: agents.tmux, agents: new Map(), clock, log }), store: store.pings, clock, log, metrics: createMetrics(), retryMs: 2000 });
  let current = messenger();
  const pings = new Pings({ store: store.pings, clock, limitPatterns: [], wake: () => current.wake() });
  const send = (text: string) => pings.send({ loop: "cc-ci", role: "adversary", session: "po-adv", text });

  afterAll(async () => {
    await current.stop();
    await store.close();
    await agents.close();
  });

  it("a ping waiting for its retry holds the one behind it, across an outage and a restart of the bot", async () => {
    current.start();
    await send("claim(gate-1): first");
    await waitFor(async () => (await store.pings.holding())[0]?.lastError === "session absent", "the first ping to be tried and held");
    await current.stop();

    await send("claim(gate-2): second");
    await agents.start("po-adv");
    current = messenger();
    current.start();
    // What /api/sessions shows: the first ping holds the session's queue.
    expect((await store.pings.holding()).map((p) => p.text)).toEqual(["claim(gate-1): first"]);

    clock.advance(2000);
    current.wake();
    await waitFor(() => agents.received("po-adv").length === 2, "both pings to arrive");
    expect(agents.received("po-adv")).toEqual(["claim(gate-1): first", "claim(gate-2): second"]);
    await current.idle();
    expect(await store.pings.holding()).toEqual([]);
  });
});
