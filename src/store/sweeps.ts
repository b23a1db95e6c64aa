import type { Db } from "./db.ts";
import type { RunMode } from "./runs.ts";
import type { SqlWriter } from "./writer.ts";

export type SweepCause = "schedule" | "command";

export interface NewSweep {
  /** One sweep per firing: a schedule slot, or the comment that asked. */
  key: string;
  cause: SweepCause;
  mode: RunMode;
  requestedBy: string;
}

export interface Sweep extends NewSweep {
  id: number;
  skipped: Array<{ repo: string; reason: string }>;
  createdAt: number;
  /** When every recipe's run was queued; null while queueing (or after a crash in it). */
  queuedAt: number | null;
  finishedAt: number | null;
}

export interface SweepStore {
  /** The sweep of this key: created now, or the one a previous firing created. */
  create(s: NewSweep, now: number): Promise<{ sweep: Sweep; created: boolean }>;
  get(id: number): Promise<Sweep | null>;
  recent(limit: number): Promise<Sweep[]>;
  /** The sweep before this one. */
  previous(id: number): Promise<Sweep | null>;
  /** Sweeps whose runs were not all queued (a crash while queueing): resumed at start. */
  unqueued(): Promise<Sweep[]>;
  /** Every recipe's run is queued; `skipped` lists the recipes that could not be. */
  queued(id: number, skipped: Sweep["skipped"], now: number): Promise<void>;
  /** True when this call ended it (the first caller reports it). */
  finished(id: number, now: number): Promise<boolean>;
}

export const SWEEP_WRITES = {
  "sweeps.create": `INSERT INTO sweeps (key, cause, mode, requested_by, created_at) VALUES (@key, @cause, @mode, @requestedBy, @now) ON CONFLICT (key) DO NOTHING`,
  "sweeps.queued": `UPDATE sweeps SET skipped = ?, queued_at = ? WHERE id = ?`,
  "sweeps.finished": `UPDATE sweeps SET finished_at = ? WHERE id = ? AND finished_at IS NULL`,
};

interface Row {
  id: number;
  key: string;
  cause: SweepCause;
  mode: RunMode;
  requested_by: string;
  skipped: string;
  created_at: number;
  queued_at: number | null;
  finished_at: number | null;
}

export class SqliteSweepStore implements SweepStore {
  private readonly q;

  constructor(
    db: Db,
    private readonly writer: SqlWriter,
  ) {
    this.q = {
      get: db.prepare(`SELECT * FROM sweeps WHERE id = ?`),
      byKey: db.prepare(`SELECT * FROM sweeps WHERE key = ?`),
      recent: db.prepare(`SELECT * FROM sweeps ORDER BY id DESC LIMIT ?`),
      previous: db.prepare(`SELECT * FROM sweeps WHERE id < ? ORDER BY id DESC LIMIT 1`),
      unqueued: db.prepare(`SELECT * FROM sweeps WHERE queued_at IS NULL ORDER BY id`),
    };
  }

  async create(s: NewSweep, now: number): Promise<{ sweep: Sweep; created: boolean }> {
    const created = (await this.writer.run("sweeps.create", { ...s, now })) === 1;
    return { sweep: fromRow(this.q.byKey.get(s.key) as Row), created };
  }

  async get(id: number): Promise<Sweep | null> {
    const row = this.q.get.get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async recent(limit: number): Promise<Sweep[]> {
    return (this.q.recent.all(limit) as Row[]).map(fromRow);
  }

  async previous(id: number): Promise<Sweep | null> {
    const row = this.q.previous.get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async unqueued(): Promise<Sweep[]> {
    return (this.q.unqueued.all() as Row[]).map(fromRow);
  }

  async queued(id: number, skipped: Sweep["skipped"], now: number): Promise<void> {
    await this.writer.run("sweeps.queued", [JSON.stringify(skipped), now, id]);
  }

  async finished(id: number, now: number): Promise<boolean> {
    return (await this.writer.run("sweeps.finished", [now, id])) === 1;
  }
}

function fromRow(r: Row): Sweep {
  return {
    id: r.id,
    key: r.key,
    cause: r.cause,
    mode: r.mode,
    requestedBy: r.requested_by,
    skipped: JSON.parse(r.skipped) as Sweep["skipped"],
    createdAt: r.created_at,
    queuedAt: r.queued_at,
    finishedAt: r.finished_at,
  };
}
