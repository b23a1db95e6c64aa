import type { Db } from "./db.ts";
import type { SqlWriter } from "./writer.ts";

export interface Alert {
  seq: number;
  kind: string;
  subject: string;
  message: string;
  createdAt: number;
}

export interface PhaseTransition {
  seq: number;
  loop: string;
  fromPhase: string | null;
  toPhase: string | null;
  sha: string;
  createdAt: number;
}

/** Operator alerts and the history of phase transitions. */
export interface LoopStore {
  alert(kind: string, subject: string, message: string, now: number): Promise<void>;
  alerts(limit: number): Promise<Alert[]>;
  transition(t: Omit<PhaseTransition, "seq">): Promise<void>;
  transitions(loop: string, limit: number): Promise<PhaseTransition[]>;
}

export const LOOP_WRITES = {
  "loops.alert": `INSERT INTO alerts (kind, subject, message, created_at) VALUES (?, ?, ?, ?)`,
  "loops.transition": `INSERT INTO phase_transitions (loop, from_phase, to_phase, sha, created_at) VALUES (?, ?, ?, ?, ?)`,
};

export class SqliteLoopStore implements LoopStore {
  private readonly q;

  constructor(
    db: Db,
    private readonly writer: SqlWriter,
  ) {
    this.q = {
      alerts: db.prepare(`SELECT seq, kind, subject, message, created_at AS createdAt FROM alerts ORDER BY seq DESC LIMIT ?`),
      transitions: db.prepare(
        `SELECT seq, loop, from_phase AS fromPhase, to_phase AS toPhase, sha, created_at AS createdAt
         FROM phase_transitions WHERE loop = ? ORDER BY seq DESC LIMIT ?`,
      ),
    };
  }

  async alert(kind: string, subject: string, message: string, now: number): Promise<void> {
    await this.writer.run("loops.alert", [kind, subject, message, now]);
  }

  async alerts(limit: number): Promise<Alert[]> {
    return this.q.alerts.all(limit) as Alert[];
  }

  async transition(t: Omit<PhaseTransition, "seq">): Promise<void> {
    await this.writer.run("loops.transition", [t.loop, t.fromPhase, t.toPhase, t.sha, t.createdAt]);
  }

  async transitions(loop: string, limit: number): Promise<PhaseTransition[]> {
    return this.q.transitions.all(loop, limit) as PhaseTransition[];
  }
}
