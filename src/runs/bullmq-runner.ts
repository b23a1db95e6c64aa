import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { RunFiles } from "./run-files.ts";
import { CANCEL_CHANNEL, decodeChunk, jobIdOf, QUEUE_OPTIONS, queueOf, runKey, WORKERS, workerKey, type JobData, type RemoteResult, type WorkerBeat } from "./remote-keys.ts";
import type { RunnerCapacity, RunnerHost, RunnerPort, RunnerView, RunParams } from "./runner-port.ts";

export interface BullmqRunnerConfig {
  redisUrl: string;
  runsDir: string;
  /** The pools the configuration names (adoption lists their queues). */
  pools: string[];
  /** A run whose worker is silent this long, while Redis answers, is lost. */
  lockMs: number;
  clock: Clock;
  log: Logger;
  /** How often Redis is asked whether it answers (default 1 s), and how long a command may take (2 s). */
  probeMs?: number;
  commandTimeoutMs?: number;
}

export const HOST_LOST = "runner host lost";
export const ENGINE_LOST = "the runner engine lost the run (Redis emptied or replaced)";
const WAITING = new Set(["waiting", "prioritized", "delayed", "waiting-children"]);
/** Log chunks copied per look: bounded, the rest comes at the next pass. */
const CHUNKS_PER_PASS = 64;

/**
 * Runs on `cc-ci-bot worker`s through BullMQ (docs/runners.md). The bot stays the scheduler of record:
 * it hands a run over only when a worker of its pool has a free slot, so BullMQ's queue is a
 * hand-off, not a backlog. Each look at a running run copies its new log chunks home, and when
 * the worker has left its result, the result too; then the run's keys leave Redis.
 *
 * The connection fails fast (ioredis `enableOfflineQueue: false`, as BullMQ's "failing fast when
 * Redis is down" pattern advises): an unreachable Redis is an error the run service waits out,
 * never a call that hangs the scheduler.
 */
export class BullmqRunner implements RunnerPort {
  readonly kind = "bullmq" as const;
  readonly files: RunFiles;
  private readonly redis: Redis;
  private readonly queues = new Map<string, Queue>();
  private readonly probe: NodeJS.Timeout;
  /** Since when (bot clock) Redis has answered; null while it does not. */
  private reachableSince: number | null = null;
  /** Since when (bot clock) a running run has had no lease from a worker. */
  private readonly missingSince = new Map<number, number>();
  /** Finished runs whose job could not be removed yet (still locked by a dead worker). */
  private readonly leftovers = new Map<number, string>();

  constructor(private readonly config: BullmqRunnerConfig) {
    this.files = new RunFiles(config.runsDir);
    // commandTimeout: a Redis that hangs (a stopped process, a dead link the kernel has not
    // noticed) fails commands like a closed one, instead of stalling every pass.
    this.redis = new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 500, commandTimeout: config.commandTimeoutMs ?? 2000 });
    this.redis.on("ready", () => this.reachable(true));
    this.redis.on("close", () => this.reachable(false));
    // ioredis reports every failed reconnection; the state above is what matters.
    this.redis.on("error", () => {});
    this.probe = setInterval(() => void this.redis.ping().then(() => this.reachable(true), () => this.reachable(false)), config.probeMs ?? 1000);
    this.probe.unref();
  }

  private reachable(yes: boolean): void {
    if (yes && this.reachableSince === null) {
      this.reachableSince = this.config.clock.now();
      this.config.log.info("runner engine reachable");
    } else if (!yes && this.reachableSince !== null) {
      this.reachableSince = null;
      this.config.log.warn("runner engine unreachable");
    }
  }

  private queue(pool: string): Queue {
    let q = this.queues.get(pool);
    if (!q) {
      q = new Queue(queueOf(pool), { connection: this.redis, ...QUEUE_OPTIONS });
      q.on("error", () => {});
      this.queues.set(pool, q);
    }
    return q;
  }

  async dispatch(p: RunParams): Promise<{ adopted: boolean; handle: number }> {
    if (this.files.exit(p.runId) !== null) return { adopted: true, handle: 0 };
    const q = this.queue(p.pool);
    const existing = await q.getJob(jobIdOf(p.runId));
    // The marker first: a run the bot handed over and Redis then forgot is lost, not unknown.
    writeFileSync(join(this.files.ensure(p.runId), "dispatched.json"), JSON.stringify({ pool: p.pool }));
    if (existing) return { adopted: true, handle: 0 };
    const data: JobData = { runId: p.runId, pool: p.pool, env: p.env, timeoutMs: p.timeoutMs, graceMs: p.graceMs };
    // A deterministic job id: adding it again while it exists is a no-op (docs.bullmq.io/guide/jobs/job-ids).
    // One attempt: a run is never retried behind the bot's back. Failed jobs stay until the bot reads them.
    await q.add("run", data, { jobId: jobIdOf(p.runId), attempts: 1, removeOnComplete: true, removeOnFail: false });
    return { adopted: false, handle: 0 };
  }

  private poolOf(runId: number): string | null {
    const file = join(this.files.dirOf(runId), "dispatched.json");
    if (!existsSync(file)) return null;
    try {
      return (JSON.parse(readFileSync(file, "utf8").slice(0, 4096)) as { pool: string }).pool;
    } catch {
      return null;
    }
  }

  async inspect(runId: number): Promise<RunnerView> {
    const done = this.ended(runId);
    if (done) return done;
    const pool = this.poolOf(runId);
    if (pool === null) return { state: "unknown" };
    if (this.reachableSince === null) throw new Error("runner engine unreachable");
    const collected = await this.collectIfDone(runId);
    if (collected) return collected;
    await this.copyLog(runId);
    if ((await this.redis.exists(runKey(runId, "lease"))) === 1) {
      this.missingSince.delete(runId);
      return { state: "running" };
    }
    const job = await this.queue(pool).getJob(jobIdOf(runId));
    const state = job ? await job.getState() : null;
    if (state !== null && WAITING.has(state)) return { state: "waiting", pool };
    if (!job) {
      // The worker may have left its result and completed the job between the looks above.
      return (await this.collectIfDone(runId)) ?? (await this.lose(runId, pool, ENGINE_LOST));
    }
    // Taken (or failed by BullMQ's stall check, maxStalledCount 0) and no worker holds its lease
    // (half a lock duration long): lost once it has stayed so a quarter of a lock duration (a
    // worker sets the lease right after taking the job), and only once Redis has answered for a
    // whole lock duration, so an outage of Redis itself never reads as every host being gone.
    const now = this.config.clock.now();
    const missing = this.missingSince.get(runId) ?? now;
    this.missingSince.set(runId, missing);
    if (now - missing >= this.config.lockMs / 4 && now - this.reachableSince >= this.config.lockMs) return this.lose(runId, pool, HOST_LOST);
    return { state: "running" };
  }

  private ended(runId: number): RunnerView | null {
    const exit = this.files.exit(runId);
    if (exit === null) return null;
    const cancelReason = this.files.cancelReason(runId);
    return exit.lost ? { state: "ended", exit: null, lost: exit.lost, cancelReason } : { state: "ended", exit, lost: null, cancelReason };
  }

  /** The worker's result, copied home with the rest of the log; then the run leaves Redis. */
  private async collectIfDone(runId: number): Promise<RunnerView | null> {
    const raw = await this.redis.get(runKey(runId, "result"));
    if (raw === null) return null;
    const result = JSON.parse(raw) as RemoteResult;
    while ((await this.copyLog(runId)) > 0);
    const dir = this.files.ensure(runId);
    if (result.results !== null && result.results !== undefined) writeFileSync(join(dir, "results.json"), JSON.stringify(result.results));
    if (result.cancelReason && this.files.cancelReason(runId) === null) this.files.writeCancelReason(runId, result.cancelReason);
    this.files.writeExit(runId, result.exit);
    await this.forget(runId, this.poolOf(runId));
    return this.ended(runId);
  }

  private async lose(runId: number, pool: string | null, why: string): Promise<RunnerView> {
    while ((await this.copyLog(runId)) > 0);
    this.files.writeExit(runId, { lost: why });
    await this.forget(runId, pool);
    this.config.log.warn({ run: runId, why }, "run lost");
    return this.ended(runId)!;
  }

  /**
   * Deletes everything of a run from Redis (its copy is home). The job and its claim go last: a
   * job still locked by a worker that just died cannot be removed until its lock expires, so it
   * is tried again at every pass; until then its claim keeps it from running anywhere else.
   */
  private async forget(runId: number, pool: string | null): Promise<void> {
    this.missingSince.delete(runId);
    await this.redis.del(runKey(runId, "log"), runKey(runId, "result"), runKey(runId, "lease"), runKey(runId, "cancel"));
    if (pool === null) return;
    this.leftovers.set(runId, pool);
    await this.removeLeftovers();
  }

  private async removeLeftovers(): Promise<void> {
    for (const [runId, pool] of this.leftovers) {
      const job = await this.queue(pool).getJob(jobIdOf(runId));
      const gone = job ? await job.remove().then(() => true, () => false) : true;
      if (!gone) continue;
      await this.redis.del(runKey(runId, "claim"));
      this.leftovers.delete(runId);
    }
  }

  /** Appends the chunks the worker has pushed since the last look; returns how many it read. */
  private async copyLog(runId: number): Promise<number> {
    const key = runKey(runId, "log");
    const chunks = await this.redis.lrangeBuffer(key, 0, CHUNKS_PER_PASS - 1);
    if (chunks.length === 0) return 0;
    const file = join(this.files.ensure(runId), "log");
    for (const chunk of chunks) {
      const { offset, data } = decodeChunk(chunk);
      const have = this.files.logSize(runId);
      // Offsets make the copy idempotent: a chunk copied before a crash is not copied twice.
      if (offset + data.length > have) appendFileSync(file, data.subarray(Math.max(0, have - offset)));
    }
    await this.redis.ltrim(key, chunks.length, -1);
    return chunks.length;
  }

  async active(): Promise<number[]> {
    const ids: number[] = [];
    for (const pool of this.config.pools) {
      for (const job of await this.queue(pool).getJobs(["active", "waiting", "prioritized"])) {
        if (job?.id) ids.push(Number(job.id.replace(/^run-/, "")));
      }
    }
    return ids;
  }

  async cancel(runId: number, reason: string): Promise<void> {
    this.files.writeCancelReason(runId, reason);
    const pool = this.poolOf(runId);
    if (pool === null) return;
    // Seen by a worker that takes the job later, and told at once to the one running it.
    await this.redis.set(runKey(runId, "cancel"), reason, "PX", 86_400_000);
    await this.redis.publish(CANCEL_CHANNEL, String(runId));
    const job = await this.queue(pool).getJob(jobIdOf(runId));
    if (job && WAITING.has(await job.getState())) {
      // Not taken yet: it never starts. A worker taking it meanwhile sees the cancel key.
      const removed = await job.remove().then(() => true, () => false);
      if (removed && (await this.redis.exists(runKey(runId, "claim"))) === 0) {
        this.files.writeExit(runId, { exitCode: null, cancelled: true });
        await this.forget(runId, pool);
      }
    }
  }

  readLog(runId: number, offset: number, max: number): Buffer {
    return this.files.readLog(runId, offset, max);
  }

  logSize(runId: number): number {
    return this.files.logSize(runId);
  }

  results(runId: number): unknown {
    return this.files.results(runId);
  }

  async hosts(): Promise<RunnerHost[]> {
    const ids = await this.redis.smembers(WORKERS);
    if (ids.length === 0) return [];
    const beats = await this.redis.mget(ids.map(workerKey));
    const hosts: RunnerHost[] = [];
    const stale: string[] = [];
    ids.forEach((id, i) => {
      const raw = beats[i];
      if (!raw) return void stale.push(id);
      const b = JSON.parse(raw) as WorkerBeat;
      hosts.push({ id, host: b.host, pools: b.pools, concurrency: b.concurrency, busy: b.busy, lastSeenMs: b.at });
    });
    // A heartbeat key expires with its worker: the set forgets it too.
    if (stale.length > 0) await this.redis.srem(WORKERS, ...stale);
    return hosts.sort((a, b) => a.host.localeCompare(b.host) || a.id.localeCompare(b.id));
  }

  async capacity(): Promise<RunnerCapacity> {
    if (this.leftovers.size > 0) await this.removeLeftovers();
    const pools: Record<string, number> = {};
    let slots = 0;
    for (const h of await this.hosts()) {
      slots += h.concurrency;
      for (const p of h.pools) pools[p] = (pools[p] ?? 0) + h.concurrency;
    }
    return { slots, pools };
  }

  problem(): string | null {
    return this.reachableSince === null ? "runner engine unreachable" : null;
  }

  async close(): Promise<void> {
    clearInterval(this.probe);
    for (const q of this.queues.values()) await q.close().catch(() => {});
    this.redis.disconnect();
  }
}
