import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "../log.ts";
import { CANCEL_CHANNEL, jobIdOf, QUEUE_OPTIONS, queueOf, runKey, WORKERS, workerKey, type JobData, type WorkerBeat } from "../runs/remote-keys.ts";
import type { WorkerConfig } from "./config.ts";
import { runJob } from "./run-job.ts";

/**
 * `cc-ci-bot worker`: takes runs of its pools from BullMQ, at most `concurrency` at once, and
 * runs them with this host's command (run-job.ts). It says it is alive (a heartbeat key that
 * expires with it), which is all the bot needs to count its slots and list it.
 */
export class RunnerWorker {
  readonly id = randomUUID();
  private readonly redis: Redis;
  private readonly sub: Redis;
  private readonly workers: Worker[] = [];
  /** The connections handed to BullMQ: a connection it is given is one it does not close. */
  private readonly connections: Redis[] = [];
  private readonly running = new Set<number>();
  private beat: NodeJS.Timeout | null = null;
  private slots: number;
  private draining = false;
  private readonly waiters: Array<() => void> = [];

  constructor(
    private readonly config: WorkerConfig,
    private readonly log: Logger,
  ) {
    this.slots = config.concurrency;
    // BullMQ workers need maxRetriesPerRequest: null (docs.bullmq.io/guide/going-to-production):
    // commands wait for Redis to come back instead of failing a run that is fine.
    this.redis = new Redis(config.redis, { maxRetriesPerRequest: null, retryStrategy: () => 500 });
    this.sub = new Redis(config.redis, { maxRetriesPerRequest: null, retryStrategy: () => 500 });
    for (const r of [this.redis, this.sub]) r.on("error", () => {});
  }

  get lockMs(): number {
    return this.config.lockSeconds * 1000;
  }

  async start(): Promise<void> {
    await this.heartbeat();
    this.beat = setInterval(() => void this.heartbeat().catch(() => {}), Math.max(100, this.lockMs / 3));
    this.beat.unref();
    await this.sub.subscribe(CANCEL_CHANNEL);
    this.sub.on("message", (_channel: string, message: string) => void this.cancelRun(Number(message)));
    const runsDir = join(this.config.dataDir, "runs");
    for (const pool of this.config.pools) {
      const worker = new Worker<JobData>(
        queueOf(pool),
        // Three parameters: BullMQ then hands the processor an AbortSignal (worker.js: processor.length >= 3).
        async (job, _token, signal) => {
          this.log.debug({ run: job.data.runId, slots: this.slots }, "run taken");
          await this.acquire();
          this.running.add(job.data.runId);
          void this.heartbeat().catch(() => {});
          try {
            return await runJob({ redis: this.redis, workerId: this.id, command: this.config.command, runsDir, lockMs: this.lockMs, log: this.log }, job.data, signal);
          } finally {
            this.running.delete(job.data.runId);
            this.release();
            void this.heartbeat().catch(() => {});
          }
        },
        {
          connection: this.connection(),
          ...QUEUE_OPTIONS,
          concurrency: this.config.concurrency,
          lockDuration: this.lockMs,
          // A job whose worker died is failed, never offered again: the bot ends it ERROR
          // "runner host lost" (docs.bullmq.io/guide/jobs/stalled; maxStalledCount).
          maxStalledCount: 0,
          stalledInterval: this.lockMs,
          drainDelay: 1,
        },
      );
      worker.on("error", (err) => this.log.debug({ err }, "worker connection error"));
      this.workers.push(worker);
    }
    this.log.info({ id: this.id, pools: this.config.pools, concurrency: this.config.concurrency }, "worker ready");
  }

  private connection(): Redis {
    const c = this.redis.duplicate();
    c.on("error", () => {});
    this.connections.push(c);
    return c;
  }

  private async cancelRun(runId: number): Promise<void> {
    if (!Number.isInteger(runId) || !this.running.has(runId)) return;
    const reason = (await this.redis.get(runKey(runId, "cancel"))) ?? "cancelled";
    for (const w of this.workers) w.cancelJob(jobIdOf(runId), reason);
    this.log.info({ run: runId, reason }, "cancelling run");
  }

  private async heartbeat(): Promise<void> {
    const beat: WorkerBeat = { id: this.id, host: this.config.name, pools: this.config.pools, concurrency: this.draining ? 0 : this.config.concurrency, busy: this.running.size, at: Date.now() };
    await this.redis.multi().sadd(WORKERS, this.id).set(workerKey(this.id), JSON.stringify(beat), "PX", this.lockMs).exec();
  }

  /** Slots of this host, shared by the Worker of each pool. */
  private acquire(): Promise<void> {
    if (this.slots > 0) {
      this.slots--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.slots++;
  }

  /**
   * Drains: takes no new job, lets the runs going finish, and cancels those still going after
   * `drainSeconds` (they end ERROR "runner host shutting down"). Then leaves the worker list.
   */
  async stop(drainMs = this.config.drainSeconds * 1000): Promise<void> {
    // Offers no slot from now on, so the bot hands this host nothing new.
    this.draining = true;
    await this.heartbeat().catch(() => {});
    const bound = setTimeout(() => {
      if (this.running.size > 0) this.log.warn({ runs: [...this.running] }, "drain bound reached: cancelling the runs still going");
      for (const w of this.workers) w.cancelAllJobs("runner host shutting down");
    }, drainMs);
    await Promise.all(this.workers.map((w) => w.close()));
    clearTimeout(bound);
    if (this.beat) clearInterval(this.beat);
    await this.redis.multi().srem(WORKERS, this.id).del(workerKey(this.id)).exec().catch(() => {});
    for (const c of this.connections) c.disconnect();
    this.sub.disconnect();
    this.redis.disconnect();
    this.log.info("worker stopped");
  }
}
