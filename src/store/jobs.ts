import type { Db } from "./db.ts";
import type { SqlWriter } from "./writer.ts";

export interface Job {
  id: number;
  kind: string;
  args: string[];
  repo: string;
  pr: number;
  requestedBy: string;
  state: "running" | "finished";
  exitCode: number | null;
  outcome: "succeeded" | "failed" | null;
  prUrl: string | null;
  createdAt: number;
  finishedAt: number | null;
}

export interface JobStore {
  create(j: { kind: string; args: string[]; repo: string; pr: number; requestedBy: string }, now: number): Promise<Job>;
  running(kind: string): Promise<Job | null>;
  finish(id: number, exitCode: number | null, outcome: "succeeded" | "failed", prUrl: string | null, now: number): Promise<void>;
  get(id: number): Promise<Job | null>;
  recent(limit: number): Promise<Job[]>;
}

export const JOB_WRITES = {
  "jobs.create": `INSERT INTO jobs (kind, args, repo, pr, requested_by, state, created_at) VALUES (@kind, @args, @repo, @pr, @requestedBy, 'running', @now)`,
  "jobs.finish": `UPDATE jobs SET state = 'finished', exit_code = ?, outcome = ?, pr_url = ?, finished_at = ? WHERE id = ?`,
  // A job still "running" in the store when the bot starts was cut off by the stop.
  "jobs.abandon": `UPDATE jobs SET state = 'finished', outcome = 'failed', finished_at = ? WHERE state = 'running'`,
};

interface Row {
  id: number;
  kind: string;
  args: string;
  repo: string;
  pr: number;
  requested_by: string;
  state: "running" | "finished";
  exit_code: number | null;
  outcome: "succeeded" | "failed" | null;
  pr_url: string | null;
  created_at: number;
  finished_at: number | null;
}

export class SqliteJobStore implements JobStore {
  private readonly q;

  constructor(
    db: Db,
    private readonly writer: SqlWriter,
  ) {
    this.q = {
      get: db.prepare(`SELECT * FROM jobs WHERE id = ?`),
      running: db.prepare(`SELECT * FROM jobs WHERE kind = ? AND state = 'running' ORDER BY id LIMIT 1`),
      recent: db.prepare(`SELECT * FROM jobs ORDER BY id DESC LIMIT ?`),
    };
  }

  async create(j: { kind: string; args: string[]; repo: string; pr: number; requestedBy: string }, now: number): Promise<Job> {
    const id = await this.writer.insert("jobs.create", { ...j, args: JSON.stringify(j.args), now });
    return (await this.get(id))!;
  }

  async running(kind: string): Promise<Job | null> {
    const row = this.q.running.get(kind) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async finish(id: number, exitCode: number | null, outcome: "succeeded" | "failed", prUrl: string | null, now: number): Promise<void> {
    await this.writer.run("jobs.finish", [exitCode, outcome, prUrl, now, id]);
  }

  async get(id: number): Promise<Job | null> {
    const row = this.q.get.get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async recent(limit: number): Promise<Job[]> {
    return (this.q.recent.all(limit) as Row[]).map(fromRow);
  }

  async abandonRunning(now: number): Promise<number> {
    return this.writer.run("jobs.abandon", [now]);
  }
}

function fromRow(r: Row): Job {
  return {
    id: r.id,
    kind: r.kind,
    args: JSON.parse(r.args) as string[],
    repo: r.repo,
    pr: r.pr,
    requestedBy: r.requested_by,
    state: r.state,
    exitCode: r.exit_code,
    outcome: r.outcome,
    prUrl: r.pr_url,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}
