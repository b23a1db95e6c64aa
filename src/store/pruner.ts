import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { PrunedRows, SqliteRetentionStore } from "./retention.ts";

export interface PrunerDeps {
  store: Pick<SqliteRetentionStore, "pruneRows" | "finishedBefore">;
  /** <dataDir>/runs and <dataDir>/jobs: one directory per run or job, named by its id. */
  runsDir: string;
  jobsDir: string;
  retentionDays: number;
  clock: Clock;
  log: Logger;
}

export interface Pruned extends PrunedRows {
  runDirs: number;
  jobDirs: number;
}

const DAY_MS = 86_400_000;

/**
 * Deletes what is older than `store.retentionDays`: processed deliveries with their payloads
 * and handler results, finished pings, supervisor actions, alerts, and the directories (logs,
 * results) of runs and jobs that ended before the cut. At start, then every `intervalMs`.
 */
export class Pruner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<Pruned> | null = null;

  constructor(private readonly d: PrunerDeps) {}

  start(intervalMs: number): void {
    void this.prune().catch((err: unknown) => this.d.log.warn({ err }, "pruning failed"));
    this.timer = setInterval(() => void this.prune().catch((err: unknown) => this.d.log.warn({ err }, "pruning failed")), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass; a pass asked for while one runs joins it. */
  prune(): Promise<Pruned> {
    return (this.running ??= this.pass().finally(() => (this.running = null)));
  }

  private async pass(): Promise<Pruned> {
    const before = this.d.clock.now() - this.d.retentionDays * DAY_MS;
    const rows = await this.d.store.pruneRows(before);
    const runDirs = this.pruneDirs("run", this.d.runsDir, before);
    const jobDirs = this.pruneDirs("job", this.d.jobsDir, before);
    const pruned = { ...rows, runDirs, jobDirs };
    if (Object.values(pruned).some((n) => n > 0)) this.d.log.info({ pruned, before: new Date(before).toISOString() }, "pruned what is older than store.retentionDays");
    return pruned;
  }

  private pruneDirs(kind: "run" | "job", dir: string, before: number): number {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return 0; // nothing has run yet
    }
    let removed = 0;
    for (const name of names) {
      // Only directories the bot named; a run still going, or unknown to the store, stays.
      if (!/^[1-9][0-9]*$/.test(name) || !this.d.store.finishedBefore(kind, Number(name), before)) continue;
      rmSync(join(dir, name), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }
}
