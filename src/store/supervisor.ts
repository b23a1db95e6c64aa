import type { Db } from "./db.ts";
import type { SqlWriter } from "./writer.ts";

export interface SupervisorAction {
  seq: number;
  session: string;
  reason: string;
  detail: string;
  createdAt: number;
}

/** The persisted state of one supervised session: windows and clocks survive a restart. */
export interface SessionState {
  paused: boolean;
  /** A limit window: no healing of any kind until `until`. */
  limit: { until: number; parsed: boolean; probes: number } | null;
  paneHash: string | null;
  paneChangedAt: number | null;
  /** Scheduled jobs: the next slot to fire. */
  nextSlot: number | null;
  /** The operator alert raised for what the session shows now (raised once, not every tick). */
  alert?: string | null;
}

export const EMPTY_STATE: SessionState = { paused: false, limit: null, paneHash: null, paneChangedAt: null, nextSlot: null };

export interface SupervisorStore {
  state(session: string): Promise<SessionState>;
  save(session: string, state: SessionState, now: number): Promise<void>;
  record(session: string, reason: string, detail: string, now: number): Promise<void>;
  actions(limit: number, session?: string): Promise<SupervisorAction[]>;
}

export const SUPERVISOR_WRITES = {
  "supervisor.record": `INSERT INTO supervisor_actions (session, reason, detail, created_at) VALUES (?, ?, ?, ?)`,
  "supervisor.save": `INSERT INTO cursors (key, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
};

export class SqliteSupervisorStore implements SupervisorStore {
  private readonly q;

  constructor(
    db: Db,
    private readonly writer: SqlWriter,
  ) {
    this.q = {
      state: db.prepare(`SELECT value FROM cursors WHERE key = ?`),
      all: db.prepare(`SELECT seq, session, reason, detail, created_at AS createdAt FROM supervisor_actions ORDER BY seq DESC LIMIT ?`),
      forSession: db.prepare(`SELECT seq, session, reason, detail, created_at AS createdAt FROM supervisor_actions WHERE session = ? ORDER BY seq DESC LIMIT ?`),
    };
  }

  async state(session: string): Promise<SessionState> {
    const row = this.q.state.get(`supervisor:${session}`) as { value: string } | undefined;
    return row ? { ...EMPTY_STATE, ...(JSON.parse(row.value) as Partial<SessionState>) } : { ...EMPTY_STATE };
  }

  async save(session: string, state: SessionState, now: number): Promise<void> {
    await this.writer.run("supervisor.save", [`supervisor:${session}`, JSON.stringify(state), now]);
  }

  async record(session: string, reason: string, detail: string, now: number): Promise<void> {
    await this.writer.run("supervisor.record", [session, reason, detail, now]);
  }

  async actions(limit: number, session?: string): Promise<SupervisorAction[]> {
    return (session === undefined ? this.q.all.all(limit) : this.q.forSession.all(session, limit)) as SupervisorAction[];
  }
}
