import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Redactor } from "../redact.ts";
import type { DeliveryStore, DueDelivery } from "../store/deliveries.ts";
import { parseEvent, type ParseResult, type WebhookEvent } from "../webhooks/events.ts";
import { eventKind } from "../webhooks/identify.ts";
import { ignoreReason, type IntakePolicy } from "../webhooks/ignore.ts";
import type { Handler } from "../handlers/handler.ts";
import { LaneRunner, LaneWorker, type LaneJob } from "../util/lane-runner.ts";
import { backoff } from "../util/backoff.ts";
import { giteaUnreachable } from "../gitea/unreachable.ts";

const LANE_BATCH = 256;
const MAX_PARSED = 10_000;
const MAX_FRESH = 10_000;

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
  /** The longest pause between two looks while Gitea cannot be reached (the outbox's own cap). */
  giteaWaitMaxMs?: number;
  concurrency: number;
  /** How often stored work is looked at without a wake-up (retries, replays from the CLI). */
  pollMs?: number;
}

/**
 * Feeds stored deliveries to the handlers registered for their event. Deliveries of one repo
 * are handled one at a time, in order of arrival; different repos in parallel. Each handler
 * runs on its own: one that throws never stops the others or later deliveries; it alone is
 * retried with backoff, and after `maxAttempts` the delivery is parked as a dead letter until
 * it is replayed (docs/design.md#intake). A failure because Gitea cannot be reached is
 * no attempt: the delivery waits for Gitea, as long as it takes, and is tried again (docs/design.md#outages-and-restarts).
 *
 * Handling is at-least-once: a crash before a delivery's result is recorded runs its handlers
 * again. Exactly-once starts in the effects: every one is keyed by what triggered it (the
 * outbox's keys, a run per trigger in the run store), so a handler run again repeats nothing.
 */
export class Dispatcher extends LaneWorker {
  protected readonly runner: LaneRunner;
  /**
   * Events intake already parsed, by delivery id, so a fresh delivery is not parsed twice. Each
   * is held in a slot that is emptied when it is taken: held by the map itself, every event was
   * promoted to the old generation of the heap although it stays here for milliseconds (under
   * bench:intake with `--trace-gc-nvp`: 2.3 KB promoted per delivery, 18 B with the slot
   * emptied), and the collections that follow cost the event loop and the GC threads about 15 µs
   * per delivery.
   */
  private readonly parsed = new Map<string, { event: WebhookEvent | null }>();
  /**
   * Deliveries intake committed, by lane, in order: handed to their handlers without reading
   * them back. The store is read only when it may hold due work that is not here (`mustLook`).
   */
  private readonly fresh = new Map<string, DueDelivery[]>();
  private freshCount = 0;
  /**
   * Deliveries waiting here or taken by a job, until the job's bookkeeping is written: a look
   * skips them, and one intake hands over after a look took it is not queued again.
   */
  private readonly taken = new Set<number>();
  /** Read the store at the next round: at start, on the poll and retry timers, on a wake from outside intake, and when work was left there. */
  private mustLook = true;
  /** Repos a look passed over because a job of theirs was running: looked at again when it ends (a retry due meanwhile). */
  private readonly passedOver = new Set<string>();
  private lookScheduled = false;

  constructor(private readonly o: DispatcherOptions) {
    super();
    this.runner = new LaneRunner({
      concurrency: o.concurrency,
      pollMs: o.pollMs ?? 1000,
      onTimer: () => (this.mustLook = true),
      next: (free, busy) => this.nextJobs(free, busy),
      onError: (err, job) => o.log.error({ err, job: job.id }, "dispatcher could not record a result"),
    });
  }

  /** Work was written or came due somewhere intake did not see (a sweep, a replay): read the store. */
  override wake(): void {
    this.mustLook = true;
    super.wake();
  }

  /** One job per repo: that repo's due deliveries, handled one after another in order. */
  private async nextJobs(free: number, busy: ReadonlySet<string>): Promise<LaneJob[]> {
    const lanes = new Map<string, DueDelivery[]>();
    if (this.mustLook) {
      this.mustLook = false;
      const limit = LANE_BATCH * free;
      const stored = await this.o.store.due(this.o.clock.now(), limit, busy);
      for (const lane of busy) this.passedOver.add(lane);
      if (stored.length === limit) this.mustLook = true;
      for (const d of stored) {
        if (this.taken.has(d.seq)) continue;
        const lane = laneOf(d);
        const list = lanes.get(lane) ?? [];
        if (list.length < LANE_BATCH) list.push(d);
        else this.mustLook = true;
        lanes.set(lane, list);
      }
    }
    for (const [lane, queued] of this.fresh) {
      if (busy.has(lane)) continue;
      // Fresh deliveries come in commit order; only a look's finds for the same lane need merging.
      const stored = lanes.get(lane);
      lanes.set(lane, stored ? stored.concat(queued).sort((a, b) => a.seq - b.seq) : queued);
    }
    const chosen = [...lanes].slice(0, free);
    // A lane not chosen keeps its fresh deliveries; what a look found for it is found again.
    if (chosen.length < lanes.size) this.mustLook = true;
    return chosen.map(([lane, all]) => {
      this.freshCount -= this.fresh.get(lane)?.length ?? 0;
      this.fresh.delete(lane);
      const list = all.slice(0, LANE_BATCH);
      // Beyond one batch, fresh deliveries (already taken) wait for the lane's next job; stored
      // ones are found again by a look.
      const left = all.slice(LANE_BATCH);
      const leftFresh = left.filter((d) => this.taken.has(d.seq));
      if (leftFresh.length > 0) {
        this.fresh.set(lane, leftFresh);
        this.freshCount += leftFresh.length;
      }
      if (leftFresh.length < left.length) this.mustLook = true;
      for (const d of list) this.taken.add(d.seq);
      return {
        id: `${lane}:${list[0]!.seq}`,
        lane,
        run: async () => {
          const batch: Bookkeeping = { writes: [], done: [] };
          try {
            for (const d of list) await this.process(d, batch);
            if (batch.done.length > 0) batch.writes.push(this.o.store.finishDone(batch.done, this.o.clock.now()));
            await Promise.all(batch.writes);
          } catch (err) {
            this.mustLook = true;
            throw err;
          } finally {
            for (const d of list) this.taken.delete(d.seq);
            if (this.passedOver.delete(lane)) this.mustLook = true;
          }
        },
      };
    });
  }

  /**
   * Intake is about to store a delivery to process, already parsed. Told before the commit,
   * because a lookup may find the row as soon as it commits: an event cached only afterwards
   * could miss its delivery and stay cached for good.
   */
  prime(deliveryId: string, event: WebhookEvent): void {
    if (this.parsed.size < MAX_PARSED) this.parsed.set(deliveryId, { event });
  }

  /** The delivery was not stored after all (a duplicate, or the store failed). */
  forget(deliveryId: string): void {
    this.take(deliveryId);
  }

  /** Intake committed a delivery: queue it, and start its repo's job soon. */
  accepted(d: DueDelivery): void {
    if (this.taken.has(d.seq)) return;
    const lane = laneOf(d);
    if (this.freshCount < MAX_FRESH) {
      const queued = this.fresh.get(lane);
      if (queued) queued.push(d);
      else this.fresh.set(lane, [d]);
      this.freshCount++;
      this.taken.add(d.seq);
    } else {
      this.mustLook = true;
    }
    if (this.lookScheduled) return;
    // A commit settles every delivery it holds in the same turn: start jobs once, after all of them.
    this.lookScheduled = true;
    setImmediate(() => {
      this.lookScheduled = false;
      // A running job of the same repo takes its new deliveries when it ends.
      if (this.mustLook || [...this.fresh.keys()].some((lane) => !this.runner.isBusy(lane))) this.runner.wake();
    });
  }

  /** Events cached for deliveries not yet handled (bounded). */
  get primed(): number {
    return this.parsed.size;
  }

  private take(deliveryId: string): WebhookEvent | null {
    const slot = this.parsed.get(deliveryId);
    if (!slot) return null;
    this.parsed.delete(deliveryId);
    const event = slot.event;
    slot.event = null;
    return event;
  }

  private async eventOf(d: DueDelivery): Promise<ParseResult | null> {
    const known = this.take(d.id);
    if (known) return { ok: true, event: known };
    const stored = await this.o.store.payload(d.seq);
    if (stored === null) return null;
    if ("event" in stored) return { ok: true, event: stored.event };
    // A raw payload, stored before deliveries kept their normalised event.
    const kind = eventKind({ event: d.event, type: null, deliveryId: d.id });
    if (!kind) return null;
    try {
      return parseEvent(kind, null, JSON.parse(stored.raw.toString("utf8")));
    } catch (err) {
      return { ok: false, error: `stored payload is not JSON: ${(err as Error).message}` };
    }
  }

  /**
   * Runs the handlers of one delivery and queues its bookkeeping in `batch`. The lane's job
   * writes it once, at the end of its batch: handlers still run strictly one delivery after
   * another, but a batch costs one commit, and its successes one statement.
   */
  private async process(d: DueDelivery, batch: Bookkeeping): Promise<void> {
    const { store, clock } = this.o;
    const writes = batch.writes;
    const parsed = await this.eventOf(d);
    if (!parsed?.ok) {
      writes.push(store.finish(d.seq, "dead", parsed ? parsed.error : "stored delivery has no payload to handle", clock.now()));
      return;
    }
    const event = parsed.event;
    const ignored = ignoreReason(event, this.o.policy);
    // Only a retried or replayed delivery can have handlers that already succeeded.
    const done = ignored === null && (d.attempts > 0 || d.lastError !== null) ? await store.handlersDone(d.seq) : new Set<string>();
    const todo = ignored === null ? this.o.handlers.filter((h) => h.kinds.includes(event.kind) && !done.has(h.name)) : [];
    if (todo.length === 0) {
      batch.done.push(d.seq);
      return;
    }
    const log = this.o.log.child({ delivery: d.id, event: d.event });
    const ctx = { deliveryId: d.id, receivedAt: d.receivedAt };
    const results = await Promise.allSettled(todo.map((h) => h.handle(event, { ...ctx, log: log.child({ handler: h.name }) })));
    const errors: string[] = [];
    let ownFault = false;
    for (const [i, r] of results.entries()) {
      const h = todo[i]!;
      const error = r.status === "rejected" ? this.o.redact(describe(r.reason)) : null;
      writes.push(store.recordHandler(d.seq, h.name, error, clock.now()));
      if (error !== null) {
        errors.push(`${h.name}: ${error}`);
        if (!giteaUnreachable(r.status === "rejected" ? r.reason : null)) ownFault = true;
        this.o.metrics.handlerFailures.inc({ handler: h.name });
        log.warn({ handler: h.name, attempt: d.attempts + 1, err: r.status === "rejected" ? r.reason : undefined }, "handler failed");
      }
    }
    if (errors.length === 0) {
      batch.done.push(d.seq);
      return;
    }
    const message = errors.join("; ");
    if (!ownFault) {
      // Gitea is down or failing: wait for it without spending an attempt, looking again at
      // growing intervals (half the time waited so far), capped like the outbox's backoff.
      const now = clock.now();
      const waited = now - (d.waitingSince ?? now);
      const delay = Math.round(Math.min(this.o.giteaWaitMaxMs ?? 5 * 60_000, Math.max(this.o.backoffMs, waited / 2)) * (0.75 + Math.random() / 4));
      log.warn({ waitedMs: waited, retryInMs: delay, error: message }, "waiting for Gitea");
      writes.push(store.waitForGitea(d.seq, now + delay, message, now));
      this.runner.wakeIn(delay);
      return;
    }
    if (d.attempts + 1 >= this.o.maxAttempts) {
      log.error({ attempts: d.attempts + 1, error: message }, "delivery parked as a dead letter; replay it with `cc-ci-bot replay`");
      writes.push(store.finish(d.seq, "dead", message, clock.now()));
      return;
    }
    const delay = backoff(this.o.backoffMs, d.attempts);
    writes.push(store.retryLater(d.seq, clock.now() + delay, message));
    this.runner.wakeIn(delay);
  }
}

/** A lane batch's store writes, and the deliveries it finished without an error. */
interface Bookkeeping {
  writes: Array<Promise<unknown>>;
  done: number[];
}

function laneOf(d: DueDelivery): string {
  return (d.repo ?? "").toLowerCase();
}

function describe(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n", 1)[0]!.slice(0, 500);
}
