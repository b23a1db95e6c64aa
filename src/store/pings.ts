import type { Db } from "./db.ts";
import type { SqlWriter } from "./writer.ts";

export type PingState = "queued" | "delivered" | "undeliverable" | "dropped";

export interface NewPing {
  loop: string;
  role: string;
  session: string | null;
  text: string;
  receivedAt: number;
  /** The commits this ping announces; each (repo, sha, role) is marked so it never pings again. */
  repo: string;
  shas: string[];
}

export interface Ping {
  seq: number;
  loop: string;
  role: string;
  session: string | null;
  text: string;
  state: PingState;
  attempts: number;
  lastError: string | null;
  receivedAt: number;
  createdAt: number;
  nextAt: number;
  deliveredAt: number | null;
}

export interface PingStore {
  /** Queues a ping and marks its commits, in one transaction. */
  enqueue(p: NewPing, now: number): Promise<void>;
  /** Of `shas`, those already announced to `role` in `repo`. */
  marked(repo: string, role: string, shas: string[]): Promise<Set<string>>;
  /**
   * The oldest queued ping of each session, when it is due, skipping sessions in `busy`: a
   * session's pings go out one at a time in the order queued, and one waiting for a retry holds
   * the ones behind it.
   */
  due(now: number, limit: number, busy: ReadonlySet<string>): Promise<Ping[]>;
  /** Per session, its oldest queued ping that was tried and is waiting for a retry (what holds the queue). */
  holding(): Promise<Ping[]>;
  delivered(seq: number, attempts: number, now: number): Promise<void>;
  undeliverable(seq: number, attempts: number, error: string, now: number): Promise<void>;
  retryLater(seq: number, attempts: number, nextAt: number, error: string): Promise<void>;
  /** Drops what is still queued for a loop (its phase moved on: the pings are stale). */
  dropQueued(loop: string, now: number): Promise<number>;
  recent(limit: number, loop?: string): Promise<Ping[]>;
}

export const PING_WRITES = {
  "pings.enqueue": [
    `INSERT INTO pings (loop, role, session, text, received_at, created_at, next_at)
     VALUES (@loop, @role, @session, @text, @receivedAt, @now, @now)`,
    `INSERT INTO handoff_marks (repo, sha, role, ping_seq)
     SELECT lower(@repo), value, @role, last_insert_rowid() FROM json_each(@shas) WHERE true
     ON CONFLICT DO NOTHING`,
  ],
  "pings.delivered": `UPDATE pings SET state = 'delivered', attempts = ?, delivered_at = ?, last_error = NULL WHERE seq = ?`,
  "pings.undeliverable": `UPDATE pings SET state = 'undeliverable', attempts = ?, last_error = ?, delivered_at = NULL, next_at = ? WHERE seq = ?`,
  "pings.retryLater": `UPDATE pings SET attempts = ?, next_at = ?, last_error = ? WHERE seq = ?`,
  "pings.dropQueued": `UPDATE pings SET state = 'dropped', last_error = 'the phase moved on', next_at = ? WHERE loop = ? AND state = 'queued'`,
};

interface Row {
  seq: number;
  loop: string;
  role: string;
  session: string | null;
  text: string;
  state: PingState;
  attempts: number;
  last_error: string | null;
  received_at: number;
  created_at: number;
  next_at: number;
  delivered_at: number | null;
}

export class SqlitePingStore implements PingStore {
  private readonly q;

  constructor(
    db: Db,
    private readonly writer: SqlWriter,
  ) {
    this.q = {
      marked: db.prepare(`SELECT sha FROM handoff_marks WHERE repo = lower(?) AND role = ? AND sha IN (SELECT value FROM json_each(?))`),
      // Per session only its head (the oldest queued ping): a later ping must never overtake
      // one that is waiting for a retry (pings_queued indexes (session, seq) of queued pings).
      due: db.prepare(
        `SELECT p.* FROM pings p
         JOIN (SELECT min(seq) AS seq FROM pings WHERE state = 'queued' GROUP BY session) h ON h.seq = p.seq
         WHERE p.next_at <= ? AND coalesce(p.session, '') NOT IN (SELECT value FROM json_each(?)) ORDER BY p.seq LIMIT ?`,
      ),
      holding: db.prepare(
        `SELECT p.* FROM pings p
         JOIN (SELECT min(seq) AS seq FROM pings WHERE state = 'queued' GROUP BY session) h ON h.seq = p.seq
         WHERE p.attempts > 0 OR p.last_error IS NOT NULL ORDER BY p.seq`,
      ),
      recent: db.prepare(`SELECT * FROM pings ORDER BY seq DESC LIMIT ?`),
      recentLoop: db.prepare(`SELECT * FROM pings WHERE loop = ? ORDER BY seq DESC LIMIT ?`),
    };
  }

  async enqueue(p: NewPing, now: number): Promise<void> {
    await this.writer.run("pings.enqueue", { ...p, shas: JSON.stringify(p.shas), now });
  }

  async marked(repo: string, role: string, shas: string[]): Promise<Set<string>> {
    const rows = this.q.marked.all(repo, role, JSON.stringify(shas)) as Array<{ sha: string }>;
    return new Set(rows.map((r) => r.sha));
  }

  async due(now: number, limit: number, busy: ReadonlySet<string>): Promise<Ping[]> {
    return (this.q.due.all(now, JSON.stringify([...busy]), limit) as Row[]).map(fromRow);
  }

  async holding(): Promise<Ping[]> {
    return (this.q.holding.all() as Row[]).map(fromRow);
  }

  async delivered(seq: number, attempts: number, now: number): Promise<void> {
    await this.writer.run("pings.delivered", [attempts, now, seq]);
  }

  async undeliverable(seq: number, attempts: number, error: string, now: number): Promise<void> {
    await this.writer.run("pings.undeliverable", [attempts, error, now, seq]);
  }

  async retryLater(seq: number, attempts: number, nextAt: number, error: string): Promise<void> {
    await this.writer.run("pings.retryLater", [attempts, nextAt, error, seq]);
  }

  async dropQueued(loop: string, now: number): Promise<number> {
    return this.writer.run("pings.dropQueued", [now, loop]);
  }

  async recent(limit: number, loop?: string): Promise<Ping[]> {
    const rows = (loop === undefined ? this.q.recent.all(limit) : this.q.recentLoop.all(loop, limit)) as Row[];
    return rows.map(fromRow);
  }
}

function fromRow(r: Row): Ping {
  return {
    seq: r.seq,
    loop: r.loop,
    role: r.role,
    session: r.session,
    text: r.text,
    state: r.state,
    attempts: r.attempts,
    lastError: r.last_error,
    receivedAt: r.received_at,
    createdAt: r.created_at,
    nextAt: r.next_at,
    deliveredAt: r.delivered_at,
  };
}
