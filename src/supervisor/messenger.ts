import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Ping, PingStore } from "../store/pings.ts";
import { LaneRunner, LaneWorker } from "../util/lane-runner.ts";
import type { AgentSessions } from "./agent-sessions.ts";

export interface MessengerOptions {
  agents: Pick<AgentSessions, "submit">;
  /** Set when no session can be reached at all (tmux is not installed): pings are recorded as undeliverable, visibly. */
  unavailable?: string | undefined;
  store: PingStore;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, "pings" | "pingLatency">;
  /** How soon an absent or busy session is tried again. */
  retryMs?: number;
}

/**
 * Delivers pings into agent sessions (docs/design.md#messenger) through the agents' backend, which knows how a
 * prompt is submitted and whether it was taken. Pings to a session that cannot take one now
 * (absent, busy, a menu open, its server down) stay queued (durably) and go out when it can; a
 * prompt that was tried and not taken is recorded as undeliverable, with the reason.
 *
 * Per session, pings go out in the order queued, one at a time: the store hands out only a
 * session's oldest queued ping, so one waiting for its retry holds the ones behind it (a
 * `claim(gate-2)` must never reach an agent before `claim(gate-1)`). The order is the stored
 * sequence, so it holds across retries, outages, busy turns and restarts of the bot. A ping given
 * up as undeliverable is recorded (the dashboard lists it) and no longer holds the queue.
 */
export class Messenger extends LaneWorker {
  protected readonly runner: LaneRunner;

  constructor(private readonly o: MessengerOptions) {
    super();
    this.runner = new LaneRunner({
      concurrency: 8,
      pollMs: o.retryMs ?? 2000,
      next: async (free, busy) =>
        (await o.store.due(o.clock.now(), free, busy)).map((p) => ({ id: String(p.seq), lane: p.session ?? "", run: () => this.deliver(p) })),
      onError: (err, job) => o.log.error({ err, ping: job.id }, "ping delivery failed unexpectedly"),
    });
  }

  private async deliver(p: Ping): Promise<void> {
    const { store, clock, metrics } = this.o;
    const log = this.o.log.child({ ping: p.seq, session: p.session, role: p.role });
    const give = async (error: string, attempts = p.attempts) => {
      await store.undeliverable(p.seq, attempts, error, clock.now());
      metrics.pings.inc({ role: p.role, outcome: "undeliverable" });
      log.warn({ error }, "ping not deliverable");
    };
    if (p.session === null) return give(`no session is configured for role ${p.role}`);
    if (this.o.unavailable) return give(this.o.unavailable);

    const result = await this.o.agents.submit(p.session, p.text);
    const attempts = p.attempts + result.attempts;
    if (!result.taken) return result.later ? this.later(p, result.detail) : give(result.detail, attempts);
    const now = clock.now();
    await store.delivered(p.seq, attempts, now);
    metrics.pings.inc({ role: p.role, outcome: "delivered" });
    metrics.pingLatency.observe(Math.max(0, now - p.receivedAt) / 1000);
    log.info({ attempts, latencyMs: now - p.receivedAt }, "ping delivered");
  }

  private async later(p: Ping, why: string): Promise<void> {
    const delay = this.o.retryMs ?? 2000;
    await this.o.store.retryLater(p.seq, p.attempts, this.o.clock.now() + delay, why);
    this.runner.wakeIn(delay);
  }
}
