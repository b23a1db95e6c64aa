import type { Db } from "./db.ts";

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
  body: Buffer | null;
  receivedAt: number;
}

export type AcceptOutcome = { status: "accepted" } | { status: "duplicate"; of: string };

export interface StoredDelivery {
  seq: number;
  id: string;
  event: string;
  action: string | null;
  repo: string | null;
  state: DeliveryState;
  reason: string | null;
  body: Buffer | null;
  receivedAt: number;
  attempts: number;
  nextAt: number;
  lastError: string | null;
  finishedAt: number | null;
}

export type DeliverySummary = Omit<StoredDelivery, "body">;

/** The narrow interface intake, dispatcher, API and CLI use; SQLite is one implementation. */
export interface DeliveryStore {
  /** Durably records a delivery; resolves only after the commit that holds it. */
  accept(delivery: IncomingDelivery): Promise<AcceptOutcome>;
  /** Pending deliveries that are due, oldest first, skipping the repos in `busyRepos` (lower-case). */
  due(now: number, limit: number, busyRepos?: ReadonlySet<string>): Promise<StoredDelivery[]>;
  handlersDone(seq: number): Promise<Set<string>>;
  recordHandler(seq: number, handler: string, error: string | null, now: number): Promise<void>;
  finish(seq: number, state: "done" | "dead", error: string | null, now: number): Promise<void>;
  retryLater(seq: number, nextAt: number, error: string): Promise<void>;
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
  body?: Buffer | null;
  received_at: number;
  attempts: number;
  next_at: number;
  last_error: string | null;
  finished_at: number | null;
}

const SUMMARY_COLUMNS = "seq, id, event, action, repo, state, reason, received_at, attempts, next_at, last_error, finished_at";

/**
 * SQLite delivery store with group commit: every accept() issued in one turn of the event loop
 * is written in one transaction, and each caller is answered after that commit. One fsync per
 * request would cap intake at the disk's sync rate (SPEC §12).
 */
export class SqliteDeliveryStore implements DeliveryStore {
  private batch: Array<{ delivery: IncomingDelivery; resolve: (o: AcceptOutcome) => void; reject: (e: unknown) => void }> = [];
  private flushScheduled = false;
  private readonly insert;
  private readonly findExisting;
  private readonly commitBatch;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO deliveries (id, event, action, repo, content_key, state, reason, body, received_at, next_at)
       VALUES (@id, @event, @action, @repo, @contentKey, @state, @reason, @body, @receivedAt, @receivedAt)
       ON CONFLICT DO NOTHING`,
    );
    this.findExisting = db.prepare(`SELECT id FROM deliveries WHERE id = ? OR (content_key IS NOT NULL AND content_key = ?) LIMIT 1`);
    this.commitBatch = db.transaction((items: IncomingDelivery[]): AcceptOutcome[] =>
      items.map((d) => {
        if (this.insert.run(d).changes === 1) return { status: "accepted" };
        const existing = this.findExisting.get(d.id, d.contentKey) as { id: string } | undefined;
        return { status: "duplicate", of: existing?.id ?? d.id };
      }),
    );
  }

  accept(delivery: IncomingDelivery): Promise<AcceptOutcome> {
    return new Promise((resolve, reject) => {
      this.batch.push({ delivery, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.batch;
    this.batch = [];
    this.flushScheduled = false;
    try {
      const outcomes = this.commitBatch(batch.map((b) => b.delivery));
      batch.forEach((b, i) => b.resolve(outcomes[i]!));
    } catch (err) {
      for (const b of batch) b.reject(err);
    }
  }

  async due(now: number, limit: number, busyRepos: ReadonlySet<string> = new Set()): Promise<StoredDelivery[]> {
    const rows = this.db
      .prepare(
        `SELECT * FROM deliveries WHERE state = 'pending' AND next_at <= ?
         AND lower(coalesce(repo, '')) NOT IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?`,
      )
      .all(now, JSON.stringify([...busyRepos]), limit) as Row[];
    return rows.map(fromRow);
  }

  async handlersDone(seq: number): Promise<Set<string>> {
    const rows = this.db
      .prepare(`SELECT handler FROM handler_results WHERE delivery_seq = ? AND state = 'done'`)
      .all(seq) as Array<{ handler: string }>;
    return new Set(rows.map((r) => r.handler));
  }

  async recordHandler(seq: number, handler: string, error: string | null, now: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO handler_results (delivery_seq, handler, state, attempts, last_error, updated_at)
         VALUES (?, ?, ?, 1, ?, ?)
         ON CONFLICT (delivery_seq, handler) DO UPDATE SET
           state = excluded.state, attempts = attempts + 1, last_error = excluded.last_error, updated_at = excluded.updated_at`,
      )
      .run(seq, handler, error === null ? "done" : "failed", error, now);
  }

  async finish(seq: number, state: "done" | "dead", error: string | null, now: number): Promise<void> {
    this.db
      .prepare(`UPDATE deliveries SET state = ?, last_error = ?, finished_at = ?, attempts = attempts + 1 WHERE seq = ?`)
      .run(state, error, now, seq);
  }

  async retryLater(seq: number, nextAt: number, error: string): Promise<void> {
    this.db.prepare(`UPDATE deliveries SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE seq = ?`).run(nextAt, error, seq);
  }

  async get(id: string): Promise<StoredDelivery | null> {
    const row = this.db.prepare(`SELECT * FROM deliveries WHERE id = ?`).get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async list(filter: { state?: DeliveryState | undefined; limit: number }): Promise<DeliverySummary[]> {
    const rows = (
      filter.state
        ? this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM deliveries WHERE state = ? ORDER BY seq DESC LIMIT ?`).all(filter.state, filter.limit)
        : this.db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM deliveries ORDER BY seq DESC LIMIT ?`).all(filter.limit)
    ) as Row[];
    return rows.map((r) => {
      const { body: _body, ...summary } = fromRow(r);
      return summary;
    });
  }

  async handlerResults(seq: number) {
    const rows = this.db
      .prepare(`SELECT handler, state, attempts, last_error FROM handler_results WHERE delivery_seq = ? ORDER BY handler`)
      .all(seq) as Array<{ handler: string; state: string; attempts: number; last_error: string | null }>;
    return rows.map((r) => ({ handler: r.handler, state: r.state, attempts: r.attempts, lastError: r.last_error }));
  }

  async replay(id: string, now: number): Promise<boolean> {
    const res = this.db
      .prepare(
        `UPDATE deliveries SET state = 'pending', attempts = 0, next_at = ?, finished_at = NULL
         WHERE id = ? AND state = 'dead' AND body IS NOT NULL`,
      )
      .run(now, id);
    return res.changes === 1;
  }

  async count(state: DeliveryState): Promise<number> {
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE state = ?`).get(state) as { n: number }).n;
  }

  async prune(olderThan: number): Promise<number> {
    return this.db.prepare(`DELETE FROM deliveries WHERE received_at < ? AND state IN ('done', 'ignored')`).run(olderThan).changes;
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
    body: r.body ?? null,
    receivedAt: r.received_at,
    attempts: r.attempts,
    nextAt: r.next_at,
    lastError: r.last_error,
    finishedAt: r.finished_at,
  };
}
