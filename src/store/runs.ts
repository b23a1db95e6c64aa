import type { Db } from "./db.ts";
import type { SqlWriter } from "./writer.ts";

export type RunMode = "full" | "quick";
export type RunState = "queued" | "running" | "finished";
export type Verdict = "GREEN" | "RED" | "ERROR";
/** Why a run runs; the runner gets it as CCCI_TRIGGER. */
export type Trigger = "pr" | "retest" | "command" | "schedule";

export interface NewRun {
  repo: string;
  pr: number;
  sha: string;
  ref: string;
  cloneUrl: string;
  mode: RunMode;
  requestedBy: string;
  commentId: number | null;
  /** Default "pr". */
  trigger?: Trigger;
  /** The sweep this run belongs to (a default-branch run, pr 0). */
  sweepId?: number | null;
}

export interface Run extends NewRun {
  trigger: Trigger;
  sweepId: number | null;
  id: number;
  state: RunState;
  verdict: Verdict | null;
  reason: string | null;
  pid: number | null;
  exitCode: number | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

/** What a trigger led to, recorded once (see `run_triggers`). */
export interface TriggerDecision {
  run: Run;
  /** true: the trigger created the run; false: it was coalesced into a run already in flight. */
  created: boolean;
}

export interface RunStore {
  /** Creates a run; with a `trigger`, records in the same commit that this trigger created it. */
  create(r: NewRun, now: number, trigger?: string): Promise<Run>;
  /** The decision recorded for a trigger, if any. */
  decision(trigger: string): Promise<TriggerDecision | null>;
  /** Records that a trigger was coalesced into a run in flight (the first decision stands). */
  coalesced(trigger: string, runId: number): Promise<void>;
  get(id: number): Promise<Run | null>;
  /** A queued or running run for the same PR head and mode (coalescing). */
  active(repo: string, pr: number, sha: string, mode: RunMode): Promise<Run | null>;
  /** Queued and running runs of a PR. */
  activeForPr(repo: string, pr: number): Promise<Run[]>;
  queued(): Promise<Run[]>;
  running(): Promise<Run[]>;
  countForHead(repo: string, pr: number, sha: string): Promise<number>;
  forPr(repo: string, pr: number, limit: number): Promise<Run[]>;
  lastForRepo(repo: string): Promise<Run | null>;
  recent(limit: number): Promise<Run[]>;
  /** The runs of a sweep, in the order they were queued. */
  ofSweep(sweepId: number): Promise<Run[]>;
  /** A recipe's finished sweep runs up to (and including) a sweep, newest first. */
  sweepHistory(repo: string, uptoSweep: number, limit: number): Promise<Run[]>;
  started(id: number, pid: number, now: number): Promise<void>;
  finished(id: number, verdict: Verdict, reason: string, exitCode: number | null, now: number): Promise<boolean>;
}

export const RUN_WRITES = {
  "runs.create": [
    `INSERT INTO runs (repo, pr, sha, ref, clone_url, mode, state, requested_by, comment_id, created_at, cause, sweep_id)
    VALUES (@repo, @pr, @sha, @ref, @cloneUrl, @mode, 'queued', @requestedBy, @commentId, @now, @cause, @sweepId)`,
    `INSERT INTO run_triggers (trigger, run_id, created) SELECT @triggerKey, last_insert_rowid(), 1 WHERE @triggerKey IS NOT NULL`,
  ],
  "runs.coalesced": `INSERT INTO run_triggers (trigger, run_id, created) VALUES (?, ?, 0) ON CONFLICT (trigger) DO NOTHING`,
  "runs.started": `UPDATE runs SET state = 'running', pid = ?, started_at = ? WHERE id = ? AND state = 'queued'`,
  "runs.finished": `UPDATE runs SET state = 'finished', verdict = ?, reason = ?, exit_code = ?, finished_at = ? WHERE id = ? AND state != 'finished'`,
};

interface Row {
  id: number;
  repo: string;
  pr: number;
  sha: string;
  ref: string;
  clone_url: string;
  mode: RunMode;
  state: RunState;
  verdict: Verdict | null;
  reason: string | null;
  requested_by: string;
  comment_id: number | null;
  pid: number | null;
  exit_code: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  cause: Trigger;
  sweep_id: number | null;
}

export class SqliteRunStore implements RunStore {
  private readonly q;

  constructor(
    db: Db,
    private readonly writer: SqlWriter,
  ) {
    this.q = {
      get: db.prepare(`SELECT * FROM runs WHERE id = ?`),
      decision: db.prepare(`SELECT run_id, created FROM run_triggers WHERE trigger = ?`),
      active: db.prepare(`SELECT * FROM runs WHERE state != 'finished' AND repo = ? AND pr = ? AND sha = ? AND mode = ? ORDER BY id LIMIT 1`),
      activeForPr: db.prepare(`SELECT * FROM runs WHERE state != 'finished' AND repo = ? AND pr = ? ORDER BY id`),
      // PR runs first: a sweep's runs never delay a !testme queued after them (docs/design.md#scheduled-sweeps).
      queued: db.prepare(`SELECT * FROM runs WHERE state = 'queued' ORDER BY sweep_id IS NOT NULL, id`),
      ofSweep: db.prepare(`SELECT * FROM runs WHERE sweep_id = ? ORDER BY id`),
      sweepHistory: db.prepare(`SELECT * FROM runs WHERE repo = ? AND sweep_id IS NOT NULL AND sweep_id <= ? AND state = 'finished' ORDER BY id DESC LIMIT ?`),
      running: db.prepare(`SELECT * FROM runs WHERE state = 'running' ORDER BY id`),
      countForHead: db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE repo = ? AND pr = ? AND sha = ?`),
      forPr: db.prepare(`SELECT * FROM runs WHERE repo = ? AND pr = ? ORDER BY id DESC LIMIT ?`),
      lastForRepo: db.prepare(`SELECT * FROM runs WHERE repo = ? AND state = 'finished' ORDER BY id DESC LIMIT 1`),
      recent: db.prepare(`SELECT * FROM runs ORDER BY id DESC LIMIT ?`),
    };
  }

  /** `triggerKey`: the trigger (comment, head, mode) that made the run, so a replay finds it (exactly one run per trigger). */
  async create(r: NewRun, now: number, triggerKey?: string): Promise<Run> {
    const id = await this.writer.insert("runs.create", { ...r, now, cause: r.trigger ?? "pr", sweepId: r.sweepId ?? null, triggerKey: triggerKey ?? null });
    return (await this.get(id))!;
  }

  async decision(trigger: string): Promise<TriggerDecision | null> {
    const row = this.q.decision.get(trigger) as { run_id: number; created: number } | undefined;
    const run = row ? await this.get(row.run_id) : null;
    return row && run ? { run, created: row.created === 1 } : null;
  }

  async coalesced(trigger: string, runId: number): Promise<void> {
    await this.writer.run("runs.coalesced", [trigger, runId]);
  }

  async get(id: number): Promise<Run | null> {
    const row = this.q.get.get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async active(repo: string, pr: number, sha: string, mode: RunMode): Promise<Run | null> {
    const row = this.q.active.get(repo, pr, sha, mode) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async activeForPr(repo: string, pr: number): Promise<Run[]> {
    return (this.q.activeForPr.all(repo, pr) as Row[]).map(fromRow);
  }

  async queued(): Promise<Run[]> {
    return (this.q.queued.all() as Row[]).map(fromRow);
  }

  async running(): Promise<Run[]> {
    return (this.q.running.all() as Row[]).map(fromRow);
  }

  async countForHead(repo: string, pr: number, sha: string): Promise<number> {
    return (this.q.countForHead.get(repo, pr, sha) as { n: number }).n;
  }

  async forPr(repo: string, pr: number, limit: number): Promise<Run[]> {
    return (this.q.forPr.all(repo, pr, limit) as Row[]).map(fromRow);
  }

  async lastForRepo(repo: string): Promise<Run | null> {
    const row = this.q.lastForRepo.get(repo) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  async recent(limit: number): Promise<Run[]> {
    return (this.q.recent.all(limit) as Row[]).map(fromRow);
  }

  async ofSweep(sweepId: number): Promise<Run[]> {
    return (this.q.ofSweep.all(sweepId) as Row[]).map(fromRow);
  }

  async sweepHistory(repo: string, uptoSweep: number, limit: number): Promise<Run[]> {
    return (this.q.sweepHistory.all(repo, uptoSweep, limit) as Row[]).map(fromRow);
  }

  async started(id: number, pid: number, now: number): Promise<void> {
    await this.writer.run("runs.started", [pid, now, id]);
  }

  async finished(id: number, verdict: Verdict, reason: string, exitCode: number | null, now: number): Promise<boolean> {
    return (await this.writer.run("runs.finished", [verdict, reason, exitCode, now, id])) === 1;
  }
}

function fromRow(r: Row): Run {
  return {
    id: r.id,
    repo: r.repo,
    pr: r.pr,
    sha: r.sha,
    ref: r.ref,
    cloneUrl: r.clone_url,
    mode: r.mode,
    state: r.state,
    verdict: r.verdict,
    reason: r.reason,
    requestedBy: r.requested_by,
    commentId: r.comment_id,
    pid: r.pid,
    exitCode: r.exit_code,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    trigger: r.cause,
    sweepId: r.sweep_id,
  };
}
