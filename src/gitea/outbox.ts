import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { OutboxItem, OutboxStore } from "../store/outbox.ts";
import { LaneRunner, LaneWorker } from "../util/lane-runner.ts";
import { backoff } from "../util/backoff.ts";
import { GiteaError, type GiteaPort } from "./port.ts";
import { alreadyMade, replyMarker } from "./already-made.ts";
import type { GiteaWrite } from "./write.ts";

export type { GiteaWrite };


export type OutboxGitea = Pick<GiteaPort, "createComment" | "editComment" | "comments" | "setStatus" | "addReaction" | "createIssue" | "combinedStatus">;

export interface GiteaOutboxOptions {
  store: OutboxStore;
  gitea: OutboxGitea;
  botUser: () => string | null;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, "outboxWrites">;
  backoffMs: number;
  maxBackoffMs: number;
  concurrency: number;
  pollMs?: number;
}

/**
 * Durable writes to Gitea (docs/design.md#store-and-durability). A write is stored first and sent by the worker: retried
 * with exponential backoff and jitter while Gitea is down or failing (a report is delayed,
 * never lost); sent once per idempotency key; and in strict order within its lane (one PR),
 * so a `pending` status can never land after the final one.
 */
export class GiteaOutbox extends LaneWorker {
  protected readonly runner: LaneRunner;
  /** Items stored before this process started: the last one of a lane may have been in flight when it died. */
  private readonly bootSeq: Promise<number>;
  /** Items whose last attempt got no answer (it may have been made all the same). */
  private readonly unanswered = new Set<number>();

  constructor(private readonly o: GiteaOutboxOptions) {
    super();
    this.bootSeq = o.store.lastSeq();
    this.runner = new LaneRunner({
      concurrency: o.concurrency,
      pollMs: o.pollMs ?? 500,
      next: async (free, busy) =>
        (await o.store.heads(o.clock.now(), free, busy)).map((item) => ({ id: String(item.seq), lane: item.lane, run: () => this.send(item) })),
      onError: (err, job) => o.log.error({ err, outbox: job.id }, "outbox could not record a result"),
    });
  }

  /**
   * Stores a write; a key seen before is not written again, nor one while any `unless` key is
   * queued (so a `pending` status is dropped once a later status of the run is queued). Keys are
   * derived from what caused the write (a comment, a run), never from an attempt.
   */
  async enqueue(key: string, lane: string, write: GiteaWrite, opts: { unless?: readonly string[] } = {}): Promise<boolean> {
    const fresh = await this.o.store.enqueue({ key, lane, op: write.op, args: write, unless: opts.unless }, this.o.clock.now());
    if (fresh) this.runner.wake();
    return fresh;
  }

  private async send(item: OutboxItem): Promise<void> {
    const { store, clock, log, metrics } = this.o;
    const write = item.args as GiteaWrite;
    try {
      const uncertain = this.unanswered.has(item.seq) || item.seq <= (await this.bootSeq);
      if (uncertain && (await alreadyMade(this.o.gitea, item.key, write, this.o.botUser()))) {
        this.unanswered.delete(item.seq);
        await store.complete(item.seq, { alreadyMade: true }, clock.now());
        metrics.outboxWrites.inc({ op: write.op, outcome: "done" });
        log.info({ outbox: item.key, op: write.op }, "write found already made at the forge; not sending it again");
        return;
      }
      const result = await this.perform(item.key, write);
      this.unanswered.delete(item.seq);
      await store.complete(item.seq, result, clock.now());
      metrics.outboxWrites.inc({ op: write.op, outcome: "done" });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!(err instanceof GiteaError) || err.status === 0) this.unanswered.add(item.seq);
      else this.unanswered.delete(item.seq);
      if (err instanceof GiteaError && !err.retryable) {
        // A refusal (404, 422, 403...) will not change by asking again; record it and let the lane move on.
        await store.fail(item.seq, message, clock.now());
        metrics.outboxWrites.inc({ op: write.op, outcome: "failed" });
        log.error({ outbox: item.key, op: write.op, error: message }, "gitea refused a write; not retrying");
        return;
      }
      const delay = backoff(this.o.backoffMs, item.attempts, this.o.maxBackoffMs);
      await store.retryLater(item.seq, clock.now() + delay, message);
      this.runner.wakeIn(delay);
      metrics.outboxWrites.inc({ op: write.op, outcome: "retry" });
      log.warn({ outbox: item.key, op: write.op, attempt: item.attempts + 1, retryInMs: delay, error: message }, "gitea write failed; will retry");
    }
  }

  private async perform(key: string, w: GiteaWrite): Promise<unknown> {
    const g = this.o.gitea;
    switch (w.op) {
      case "createComment":
        return g.createComment(w.owner, w.repo, w.number, `${w.body}\n\n${replyMarker(key)}`);
      case "editComment":
        return g.editComment(w.owner, w.repo, w.commentId, w.body);
      case "upsertComment": {
        const bot = this.o.botUser();
        if (bot === null) throw new Error("the bot's own login is not known yet");
        const mine = (await g.comments(w.owner, w.repo, w.number)).find(
          (c) => c.author.toLowerCase() === bot.toLowerCase() && c.body.includes(w.marker),
        );
        if (mine) {
          await g.editComment(w.owner, w.repo, mine.id, w.body);
          return { id: mine.id, edited: true };
        }
        return g.createComment(w.owner, w.repo, w.number, w.body);
      }
      case "setStatus":
        return g.setStatus(w.owner, w.repo, w.sha, w);
      case "addReaction":
        return g.addReaction(w.owner, w.repo, w.commentId, w.reaction);
      case "createIssue":
        return g.createIssue(w.owner, w.repo, w.title, w.body);
    }
  }
}
