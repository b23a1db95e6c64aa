import type { Db } from "./db.ts";
import type { SqlWriter } from "./writer.ts";

export interface OutboxItem {
  seq: number;
  key: string;
  lane: string;
  op: string;
  args: unknown;
  attempts: number;
  nextAt: number;
  lastError: string | null;
}

export interface NewOutboxItem {
  key: string;
  lane: string;
  op: string;
  args: unknown;
  /** Not queued if an item with one of these keys exists (a `pending` status once the final one is queued). */
  unless?: readonly string[] | undefined;
}

/** Durable queue of writes to Gitea (docs/design.md#store-and-durability). */
export interface OutboxStore {
  /** Queues a write; a key already queued (or done) is not queued again. Returns whether it was new. */
  enqueue(item: NewOutboxItem, now: number): Promise<boolean>;
  /** The oldest pending item of each lane that is due, lanes in `busy` excluded. */
  heads(now: number, limit: number, busy: ReadonlySet<string>): Promise<OutboxItem[]>;
  complete(seq: number, result: unknown, now: number): Promise<void>;
  retryLater(seq: number, nextAt: number, error: string): Promise<void>;
  fail(seq: number, error: string, now: number): Promise<void>;
  backlog(): Promise<number>;
  /** The next time anything pending becomes due, or null when nothing is pending. */
  nextDueAt(): Promise<number | null>;
  list(limit: number): Promise<Array<OutboxItem & { state: string; result: unknown }>>;
  /** The highest seq stored so far (0 when empty). */
  lastSeq(): Promise<number>;
}

interface Row {
  seq: number;
  key: string;
  lane: string;
  op: string;
  args: string;
  state: string;
  attempts: number;
  next_at: number;
  last_error: string | null;
  result: string | null;
}

export const OUTBOX_WRITES = {
  "outbox.enqueue": `INSERT INTO outbox (key, lane, op, args, next_at, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
  // The check and the insert run in one statement on the writer thread, so no final status can
  // be queued between them.
  "outbox.enqueueUnless": `INSERT INTO outbox (key, lane, op, args, next_at, created_at)
    SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM outbox WHERE key IN (SELECT value FROM json_each(?))) ON CONFLICT (key) DO NOTHING`,
  "outbox.complete": `UPDATE outbox SET state = 'done', attempts = attempts + 1, result = ?, done_at = ?, last_error = NULL WHERE seq = ?`,
  "outbox.retryLater": `UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ? WHERE seq = ?`,
  "outbox.fail": `UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?, done_at = ? WHERE seq = ?`,
};

export class SqliteOutboxStore implements OutboxStore {
  private readonly q;

  constructor(
    db: Db,
    private readonly writer: SqlWriter,
  ) {
    this.q = {
      // The head of a lane is its oldest pending item: a later write never overtakes an earlier
      // one of the same PR, even while the earlier one waits out a backoff.
      heads: db.prepare(
        `SELECT o.* FROM outbox o
         WHERE o.state = 'pending'
           AND o.seq = (SELECT MIN(seq) FROM outbox i WHERE i.lane = o.lane AND i.state = 'pending')
           AND o.next_at <= ?
           AND o.lane NOT IN (SELECT value FROM json_each(?))
         ORDER BY o.seq LIMIT ?`,
      ),
      backlog: db.prepare(`SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'`),
      nextDue: db.prepare(`SELECT MIN(next_at) AS t FROM outbox WHERE state = 'pending'`),
      list: db.prepare(`SELECT * FROM outbox ORDER BY seq DESC LIMIT ?`),
      lastSeq: db.prepare(`SELECT coalesce(MAX(seq), 0) AS n FROM outbox`),
    };
  }

  async enqueue(item: NewOutboxItem, now: number): Promise<boolean> {
    const row = [item.key, item.lane, item.op, JSON.stringify(item.args), now, now];
    if (item.unless !== undefined) return (await this.writer.run("outbox.enqueueUnless", [...row, JSON.stringify(item.unless)])) === 1;
    return (await this.writer.run("outbox.enqueue", row)) === 1;
  }

  async lastSeq(): Promise<number> {
    return (this.q.lastSeq.get() as { n: number }).n;
  }

  async heads(now: number, limit: number, busy: ReadonlySet<string>): Promise<OutboxItem[]> {
    return (this.q.heads.all(now, JSON.stringify([...busy]), limit) as Row[]).map(fromRow);
  }

  async complete(seq: number, result: unknown, now: number): Promise<void> {
    await this.writer.run("outbox.complete", [result === undefined ? null : JSON.stringify(result), now, seq]);
  }

  async retryLater(seq: number, nextAt: number, error: string): Promise<void> {
    await this.writer.run("outbox.retryLater", [nextAt, error, seq]);
  }

  async fail(seq: number, error: string, now: number): Promise<void> {
    await this.writer.run("outbox.fail", [error, now, seq]);
  }

  async backlog(): Promise<number> {
    return (this.q.backlog.get() as { n: number }).n;
  }

  async nextDueAt(): Promise<number | null> {
    return (this.q.nextDue.get() as { t: number | null }).t;
  }

  async list(limit: number) {
    const rows = this.q.list.all(limit) as Row[];
    return rows.map((r) => ({ ...fromRow(r), state: r.state, result: r.result === null ? null : (JSON.parse(r.result) as unknown) }));
  }
}

function fromRow(r: Row): OutboxItem {
  return {
    seq: r.seq,
    key: r.key,
    lane: r.lane,
    op: r.op,
    args: JSON.parse(r.args) as unknown,
    attempts: r.attempts,
    nextAt: r.next_at,
    lastError: r.last_error,
  };
}
