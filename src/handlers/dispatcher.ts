import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Redactor } from "../redact.ts";
import type { DeliveryStore, StoredDelivery } from "../store/deliveries.ts";
import { parseEvent } from "../webhooks/events.ts";
import { eventKind } from "../webhooks/identify.ts";
import { ignoreReason, type IntakePolicy } from "../webhooks/ignore.ts";
import type { Handler } from "./handler.ts";
import { LaneRunner } from "../util/lane-runner.ts";
import { backoff } from "../util/backoff.ts";

export interface DispatcherOptions {
  store: DeliveryStore;
  handlers: readonly Handler[];
  policy: IntakePolicy;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, "handlerFailures">;
  /** Handler errors are stored and served: strip secrets from them first. */
  redact: Redactor;
  maxAttempts: number;
  backoffMs: number;
  concurrency: number;
  /** How often stored work is looked at without a wake-up (retries, replays from the CLI). */
  pollMs?: number;
}

/**
 * Feeds stored deliveries to the handlers registered for their event. Deliveries of one repo
 * are handled one at a time, in order of arrival; different repos in parallel. Each handler
 * runs on its own: one that throws never stops the others or later deliveries; it alone is
 * retried with backoff, and after `maxAttempts` the delivery is parked as a dead letter until
 * it is replayed (SPEC §1, DESIGN practice 11).
 */
export class Dispatcher {
  private readonly runner: LaneRunner;

  constructor(private readonly o: DispatcherOptions) {
    this.runner = new LaneRunner({
      concurrency: o.concurrency,
      pollMs: o.pollMs ?? 1000,
      next: async (free, busy) => {
        const due = await o.store.due(o.clock.now(), free * 4, busy);
        return due.map((d) => ({ id: String(d.seq), lane: (d.repo ?? "").toLowerCase(), run: () => this.process(d) }));
      },
      onError: (err, job) => o.log.error({ err, delivery: job.id }, "dispatcher could not record a result"),
    });
  }

  start(): void {
    this.runner.start();
  }

  /** Looks for work now (after intake committed a delivery). */
  wake(): void {
    this.runner.wake();
  }

  /** Stops taking work and waits for the handlers already running. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  idle(): Promise<void> {
    return this.runner.idle();
  }

  private async process(d: StoredDelivery): Promise<void> {
    const { store, clock } = this.o;
    const log = this.o.log.child({ delivery: d.id, event: d.event });
    const kind = eventKind({ event: d.event, type: null, deliveryId: d.id });
    const parsed = kind && d.body ? parseEvent(kind, null, JSON.parse(d.body.toString("utf8"))) : null;
    if (!parsed?.ok) {
      await store.finish(d.seq, "dead", parsed ? parsed.error : "stored delivery has no payload to handle", clock.now());
      return;
    }
    const event = parsed.event;
    const ignored = ignoreReason(event, this.o.policy);
    if (ignored !== null) {
      log.debug({ reason: ignored }, "delivery needs no handling");
      await store.finish(d.seq, "done", null, clock.now());
      return;
    }
    const done = await store.handlersDone(d.seq);
    const todo = this.o.handlers.filter((h) => h.kinds.includes(event.kind) && !done.has(h.name));
    const ctx = { deliveryId: d.id, receivedAt: d.receivedAt };
    const results = await Promise.allSettled(todo.map((h) => h.handle(event, { ...ctx, log: log.child({ handler: h.name }) })));
    const errors: string[] = [];
    for (const [i, r] of results.entries()) {
      const h = todo[i]!;
      const error = r.status === "rejected" ? this.o.redact(describe(r.reason)) : null;
      await store.recordHandler(d.seq, h.name, error, clock.now());
      if (error !== null) {
        errors.push(`${h.name}: ${error}`);
        this.o.metrics.handlerFailures.inc({ handler: h.name });
        log.warn({ handler: h.name, attempt: d.attempts + 1, err: r.status === "rejected" ? r.reason : undefined }, "handler failed");
      }
    }
    if (errors.length === 0) {
      await store.finish(d.seq, "done", null, clock.now());
      return;
    }
    const message = errors.join("; ");
    if (d.attempts + 1 >= this.o.maxAttempts) {
      log.error({ attempts: d.attempts + 1, error: message }, "delivery parked as a dead letter; replay it with `cc-ci-bot replay`");
      await store.finish(d.seq, "dead", message, clock.now());
      return;
    }
    const delay = backoff(this.o.backoffMs, d.attempts);
    await store.retryLater(d.seq, clock.now() + delay, message);
    this.runner.wakeIn(delay);
  }
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n", 1)[0]!.slice(0, 500);
}
