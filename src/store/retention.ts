import type { Db } from "./db.ts";
import type { SqlWriter } from "./writer.ts";

/**
 * What ages out of the store (docs/design.md#store-and-durability). Kept forever: dead letters (an operator's
 * to replay), queued or pending work, runs and jobs as rows (the PR history `/status` and the
 * badges read), handoff marks (a commit pings once, ever), cursors and phases. The outbox keeps
 * its rows too: their keys are what keeps each Gitea write once-only.
 */
export const RETENTION_WRITES = {
  "retention.deliveries": `DELETE FROM deliveries WHERE received_at < ? AND state IN ('done', 'ignored')`,
  "retention.pings": `DELETE FROM pings WHERE created_at < ? AND state != 'queued'`,
  "retention.supervisor": `DELETE FROM supervisor_actions WHERE created_at < ?`,
  "retention.alerts": `DELETE FROM alerts WHERE created_at < ?`,
};

export interface PrunedRows {
  deliveries: number;
  pings: number;
  supervisorActions: number;
  alerts: number;
}

export class SqliteRetentionStore {
  private readonly q;

  constructor(
    db: Db,
    private readonly writer: SqlWriter,
  ) {
    this.q = {
      run: db.prepare(`SELECT 1 FROM runs WHERE id = ? AND state = 'finished' AND finished_at < ?`),
      job: db.prepare(`SELECT 1 FROM jobs WHERE id = ? AND state = 'finished' AND finished_at < ?`),
    };
  }

  async pruneRows(before: number): Promise<PrunedRows> {
    const [deliveries, pings, supervisorActions, alerts] = await Promise.all([
      this.writer.run("retention.deliveries", [before]),
      this.writer.run("retention.pings", [before]),
      this.writer.run("retention.supervisor", [before]),
      this.writer.run("retention.alerts", [before]),
    ]);
    return { deliveries, pings, supervisorActions, alerts };
  }

  /** Whether the run (or job) ended before `before`: its directory may go. */
  finishedBefore(kind: "run" | "job", id: number, before: number): boolean {
    return (kind === "run" ? this.q.run : this.q.job).get(id, before) !== undefined;
  }
}
