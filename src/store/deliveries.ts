import type { Db } from "./db.ts";
import type { SqlWriter } from "./writer.ts";
import type { WebhookEvent } from "../webhooks/events.ts";

export type DeliveryState = "pending" | "done" | "dead" | "ignored";

/** A verified delivery as intake hands it to the store. */
export interface IncomingDelivery {
  id: string;
  event: string;
  action: string | null;
  repo: string | null;
  contentKey: string | null;
  /** "pending" to be processed, "ignored" to be only recorded (with `reason`). */
  state: "pending" | "ignored";
  reason: string | null;
  /** The verified, normalised event to hand to the handlers; null for ignored deliveries. */
  payload: WebhookEvent | null;
  receivedAt: number;
}

/** What a stored delivery carries: its normalised event, or (stored by an older version) the raw payload. */
export type StoredPayload = { event: WebhookEvent } | { raw: Buffer };

/** Accepted with the row it was stored as, or a duplicate of an earlier delivery. */
export type AcceptOutcome = { status: "accepted"; seq: number } | { status: "duplicate"; of: string };

export interface StoredDelivery {
  seq: number;
  id: string;
  event: string;
  action: string | null;
  repo: string | null;
  state: DeliveryState;
  reason: string | null;
  receivedAt: number;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  finishedAt: number | null;
  /** Since when it has been waiting for Gitea to answer (null: it is not waiting). */
  waitingSince: number | null;
  /** "Gitea" while it waits for Gitea (what the dashboard and /api/deliveries show). */
  waitingFor: "Gitea" | null;
}

export type DeliverySummary = StoredDelivery;

/** What the dispatcher needs of a delivery that is due. */
export type DueDelivery = Pick<StoredDelivery, "seq" | "id" | "event" | "repo" | "attempts" | "lastError" | "receivedAt" | "waitingSince">;

/** The narrow interface intake, dispatcher, API and CLI use; SQLite is one implementation. */
export interface DeliveryStore {
  /** Durably records a delivery; resolves only after the commit that holds it. */
  accept(delivery: IncomingDelivery): Promise<AcceptOutcome>;
  /** What a delivery carries for its handlers (null for ignored ones). */
  payload(seq: number): Promise<StoredPayload | null>;
  /** Pending deliveries that are due, oldest first, skipping the repos in `busyRepos` (lower-case); without payloads. */
  due(now: number, limit: number, busyRepos?: ReadonlySet<string>): Promise<DueDelivery[]>;
  handlersDone(seq: number): Promise<Set<string>>;
  recordHandler(seq: number, handler: string, error: string | null, now: number): Promise<void>;
  finish(seq: number, state: "done" | "dead", error: string | null, now: number): Promise<void>;
  /** Marks deliveries whose handlers all succeeded as done, in one statement. */
  finishDone(seqs: readonly number[], now: number): Promise<void>;
  retryLater(seq: number, nextAt: number, error: string): Promise<void>;
  /** Gitea could not be reached: try again at `nextAt`, spending no attempt. */
  waitForGitea(seq: number, nextAt: number, error: string, now: number): Promise<void>;
  get(id: string): Promise<StoredDelivery | null>;
  list(filter: { state?: DeliveryState | undefined; limit: number }): Promise<DeliverySummary[]>;
  handlerResults(seq: number): Promise<Array<{ handler: string; state: string; attempts: number; lastError: string | null }>>;
  /** Puts a dead letter back in the queue; handlers that succeeded for it stay done. */
  replay(id: string, now: number): Promise<boolean>;
  count(state: DeliveryState): Promise<number>;
  prune(olderThan: number): Promise<number>;
}

interface Row {
  seq: number;
  id: string;
  event: string;
  action: string | null;
  repo: string | null;
  state: DeliveryState;
  reason: string | null;
  received_at: number;
  attempts: number;
  next_at: number;
  last_error: string | null;
  finished_at: number | null;
  waiting_since: number | null;
}

const SUMMARY_COLUMNS = "seq, id, event, action, repo, state, reason, received_at, attempts, next_at, last_error, finished_at, waiting_since";

const INSERT_DELIVERY = `INSERT INTO deliveries (id, event, action, repo, content_key, state, reason, received_at, next_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT DO NOTHING`;

/** The writes, run by name on the writer thread. */
export const DELIVERY_WRITES = {
  // Positional parameters, a list for each statement (writer-worker.mjs): every delivery makes this insert.
  "deliveries.insert": [
    INSERT_DELIVERY,
    // Only when the row above was new: a duplicate stores nothing.
    `INSERT INTO delivery_events (seq, event) SELECT last_insert_rowid(), ? WHERE changes() = 1`,
  ],
  // A delivery with no event to keep (an ignored one): the row alone.
  "deliveries.insertWithoutEvent": INSERT_DELIVERY,
  "deliveries.recordHandler": `INSERT INTO handler_results (delivery_seq, handler, state, attempts, last_error, updated_at)
    VALUES (?, ?, ?, 1, ?, ?)
    ON CONFLICT (delivery_seq, handler) DO UPDATE SET
      state = excluded.state, attempts = attempts + 1, last_error = excluded.last_error, updated_at = excluded.updated_at`,
  "deliveries.finish": `UPDATE deliveries SET state = ?, last_error = ?, finished_at = ?, attempts = attempts + 1, waiting_since = NULL WHERE seq = ?`,
  "deliveries.finishDone": `UPDATE deliveries SET state = 'done', last_error = NULL, finished_at = ?, attempts = attempts + 1, waiting_since = NULL
    WHERE seq IN (SELECT value FROM json_each(?))`,
  "deliveries.retryLater": `UPDATE deliveries SET attempts = attempts + 1, next_at = ?, last_error = ?, waiting_since = NULL WHERE seq = ?`,
  "deliveries.waitForGitea": `UPDATE deliveries SET next_at = ?, last_error = ?, waiting_since = coalesce(waiting_since, ?) WHERE seq = ?`,
  "deliveries.replay": `UPDATE deliveries SET state = 'pending', attempts = 0, next_at = ?, finished_at = NULL
    WHERE id = ? AND state = 'dead' AND (seq IN (SELECT seq FROM delivery_events) OR seq IN (SELECT seq FROM delivery_bodies))`,
  "deliveries.prune": `DELETE FROM deliveries WHERE received_at < ? AND state IN ('done', 'ignored')`,
};

/**
 * SQLite delivery store: reads on the main connection, writes through the writer thread, so
 * an accept() is answered after the commit that holds it (docs/design.md#intake).
 */
export class SqliteDeliveryStore implements DeliveryStore {
  private readonly q;

  constructor(
    db: Db,
    private readonly writer: SqlWriter,
  ) {
    this.q = {
      existing: db.prepare(`SELECT id FROM deliveries WHERE id = ? OR (content_key IS NOT NULL AND content_key = ?) LIMIT 1`),
      // Rows as arrays of the few columns the dispatcher reads: it runs for every batch of deliveries.
      due: db
        .prepare(
          `SELECT seq, id, event, repo, attempts, last_error, received_at, waiting_since FROM deliveries INDEXED BY deliveries_pending
           WHERE state = 'pending' AND next_at <= ? AND lower(coalesce(repo, '')) NOT IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?`,
        )
        .raw(),
      // The same without the busy-repo filter, for a look while no repo is busy (the usual one):
      // the filter's subquery costs as much as reading the rows.
      dueAll: db
        .prepare(
          `SELECT seq, id, event, repo, attempts, last_error, received_at, waiting_since FROM deliveries INDEXED BY deliveries_pending
           WHERE state = 'pending' AND next_at <= ? ORDER BY seq LIMIT ?`,
        )
        .raw(),
      handlersDone: db.prepare(`SELECT handler FROM handler_results WHERE delivery_seq = ? AND state = 'done'`),
      get: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM deliveries WHERE id = ?`),
      event: db.prepare(`SELECT event FROM delivery_events WHERE seq = ?`),
      body: db.prepare(`SELECT body FROM delivery_bodies WHERE seq = ?`),
      listAll: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM deliveries ORDER BY seq DESC LIMIT ?`),
      listState: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM deliveries WHERE state = ? ORDER BY seq DESC LIMIT ?`),
      handlerResults: db.prepare(`SELECT handler, state, attempts, last_error FROM handler_results WHERE delivery_seq = ? ORDER BY handler`),
      count: db.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE state = ?`),
    };
  }

  accept(d: IncomingDelivery): Promise<AcceptOutcome> {
    const row = [d.id, d.event, d.action, d.repo, d.contentKey, d.state, d.reason, d.receivedAt, d.receivedAt];
    const write = d.payload === null ? this.writer.write("deliveries.insertWithoutEvent", row) : this.writer.write("deliveries.insert", [row, [JSON.stringify(d.payload)]]);
    return write.then(({ changes, lastId }): AcceptOutcome => {
      if (changes === 1) return { status: "accepted", seq: lastId };
      const existing = this.q.existing.get(d.id, d.contentKey) as { id: string } | undefined;
      return { status: "duplicate", of: existing?.id ?? d.id };
    });
  }

  async due(now: number, limit: number, busyRepos: ReadonlySet<string> = new Set()): Promise<DueDelivery[]> {
    const rows = (busyRepos.size === 0 ? this.q.dueAll.all(now, limit) : this.q.due.all(now, JSON.stringify([...busyRepos]), limit)) as Array<[number, string, string, string | null, number, string | null, number, number | null]>;
    return rows.map(([seq, id, event, repo, attempts, lastError, receivedAt, waitingSince]) => ({ seq, id, event, repo, attempts, lastError, receivedAt, waitingSince }));
  }

  async payload(seq: number): Promise<StoredPayload | null> {
    // Stored by us from a verified delivery: trusted, not validated again.
    const stored = this.q.event.get(seq) as { event: string } | undefined;
    if (stored) return { event: JSON.parse(stored.event) as WebhookEvent };
    const raw = this.q.body.get(seq) as { body: Buffer } | undefined;
    return raw ? { raw: raw.body } : null;
  }

  async handlersDone(seq: number): Promise<Set<string>> {
    return new Set((this.q.handlersDone.all(seq) as Array<{ handler: string }>).map((r) => r.handler));
  }

  async recordHandler(seq: number, handler: string, error: string | null, now: number): Promise<void> {
    await this.writer.run("deliveries.recordHandler", [seq, handler, error === null ? "done" : "failed", error, now]);
  }

  async finish(seq: number, state: "done" | "dead", error: string | null, now: number): Promise<void> {
    await this.writer.run("deliveries.finish", [state, error, now, seq]);
  }

  async finishDone(seqs: readonly number[], now: number): Promise<void> {
    await this.writer.run("deliveries.finishDone", [now, JSON.stringify(seqs)]);
  }

  async retryLater(seq: number, nextAt: number, error: string): Promise<void> {
    await this.writer.run("deliveries.retryLater", [nextAt, error, seq]);
  }

  async waitForGitea(seq: number, nextAt: number, error: string, now: number): Promise<void> {
    await this.writer.run("deliveries.waitForGitea", [nextAt, error, now, seq]);
  }

  async get(id: string): Promise<StoredDelivery | null> {
    const row = this.q.get.get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async list(filter: { state?: DeliveryState | undefined; limit: number }): Promise<DeliverySummary[]> {
    const rows = (filter.state ? this.q.listState.all(filter.state, filter.limit) : this.q.listAll.all(filter.limit)) as Row[];
    return rows.map(fromRow);
  }

  async handlerResults(seq: number) {
    const rows = this.q.handlerResults.all(seq) as Array<{ handler: string; state: string; attempts: number; last_error: string | null }>;
    return rows.map((r) => ({ handler: r.handler, state: r.state, attempts: r.attempts, lastError: r.last_error }));
  }

  async replay(id: string, now: number): Promise<boolean> {
    return (await this.writer.run("deliveries.replay", [now, id])) === 1;
  }

  async count(state: DeliveryState): Promise<number> {
    return (this.q.count.get(state) as { n: number }).n;
  }

  async prune(olderThan: number): Promise<number> {
    return this.writer.run("deliveries.prune", [olderThan]);
  }
}

function fromRow(r: Row): StoredDelivery {
  return {
    seq: r.seq,
    id: r.id,
    event: r.event,
    action: r.action,
    repo: r.repo,
    state: r.state,
    reason: r.reason,
    receivedAt: r.received_at,
    attempts: r.attempts,
    nextAt: r.next_at,
    lastError: r.last_error,
    finishedAt: r.finished_at,
    waitingSince: r.waiting_since,
    waitingFor: r.waiting_since === null ? null : "Gitea",
  };
}
