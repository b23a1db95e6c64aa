import { rmSync } from "node:fs";
import type { Redis } from "ioredis";
import { z } from "zod";
import type { Logger } from "../log.ts";
import { Executor, type ExitRecord } from "../runs/executor.ts";
import { RunFiles } from "../runs/run-files.ts";
import { encodeChunk, jobKey, runKey, type JobData, type RemoteResult } from "../runs/remote-keys.ts";
import { baseChildEnv } from "../util/child-env.ts";

export interface RunJobDeps {
  redis: Redis;
  workerId: string;
  command: readonly string[];
  runsDir: string;
  lockMs: number;
  log: Logger;
  /** How often the run is looked at (exit, log, lease). */
  pollMs?: number;
}

const CHUNK = 64 * 1024;
/** Chunks waiting in Redis for the bot (16 MiB): past it the worker waits, its disk keeps the log. */
const MAX_PENDING_CHUNKS = 256;

/**
 * A job's data as this host accepts it: the run's CCCI_* values and bounded numbers, nothing
 * else. Whoever can write to Redis still cannot hand the runner LD_PRELOAD or a PATH of theirs.
 */
export const jobDataSchema = z.strictObject({
  runId: z.number().int().positive(),
  pool: z.string().max(40),
  env: z.record(z.string().regex(/^CCCI_[A-Z_]{1,40}$/).refine((k) => k !== "CCCI_RUN_DIR"), z.string().max(4096)).refine((e) => Object.keys(e).length <= 32),
  timeoutMs: z.number().int().positive().max(7 * 24 * 3_600_000),
  graceMs: z.number().int().min(0).max(3_600_000),
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one job on this host: the host's own command with the run's CCCI_* values, through the
 * same wrapper as a local run (timeout, grace, cancel, exit record), streaming the log to Redis
 * as it grows; at the end the result, then BullMQ completes the job.
 *
 * The worker's connection queues commands while Redis is away (maxRetriesPerRequest: null, as
 * BullMQ requires of workers), so a run outlives an outage: its log and result go out once
 * Redis is back. The result is a key of its own, written before the job is completed: BullMQ
 * may meanwhile have failed the job for a lock it could not renew, and the bot reads the key.
 */
export async function runJob(d: RunJobDeps, raw: JobData, signal: AbortSignal | undefined): Promise<"ran" | "skipped"> {
  const parsed = jobDataSchema.safeParse(raw);
  if (!parsed.success) {
    d.log.error({ job: String(raw?.runId) }, "refusing a job that is not a run's parameters");
    return "skipped";
  }
  const data = parsed.data;
  const { redis, runsDir } = d;
  const id = data.runId;
  const takenAt = Date.now();
  // Claimed once, ever: a job BullMQ offers again (a stall) or a second dispatch never runs twice.
  if ((await redis.set(runKey(id, "claim"), d.workerId, "NX")) !== "OK") {
    d.log.warn({ run: id }, "run already claimed by a worker; not running it again");
    return "skipped";
  }
  // The lease lives half a lock duration and is renewed six times per lock duration: a dead host
  // is seen by the bot within the lock duration.
  const leaseMs = Math.max(200, Math.round(d.lockMs / 2));
  await redis.set(runKey(id, "lease"), d.workerId, "PX", leaseMs);
  const executor = new Executor(runsDir);
  const files = new RunFiles(runsDir);
  let pushed = 0;
  const pushLog = async (): Promise<number> => {
    const data = files.readLog(id, pushed, CHUNK);
    if (data.length === 0) return 0;
    if ((await redis.llen(runKey(id, "log"))) >= MAX_PENDING_CHUNKS) {
      // The bot is behind (or down): wait for it, still holding the run.
      await redis.set(runKey(id, "lease"), d.workerId, "PX", leaseMs);
      await sleep(100);
      return -1;
    }
    await redis.rpush(runKey(id, "log"), encodeChunk(pushed, data));
    pushed += data.length;
    return data.length;
  };
  const finish = async (result: RemoteResult): Promise<"ran"> => {
    while ((await pushLog()) !== 0);
    await redis.set(runKey(id, "result"), JSON.stringify(result));
    await redis.del(runKey(id, "lease"));
    rmSync(executor.dirOf(id), { recursive: true, force: true });
    return "ran";
  };

  const early = await redis.get(runKey(id, "cancel"));
  if (early !== null || signal?.aborted) return finish({ exit: { exitCode: null, cancelled: true }, results: null, cancelReason: early ?? String(signal?.reason ?? "cancelled") });

  const env = { ...baseChildEnv(), ...data.env, CCCI_RUN_DIR: executor.dirOf(id) };
  let pid: number;
  try {
    pid = executor.launch(id, { argv: d.command, env, timeoutMs: data.timeoutMs, graceMs: data.graceMs, parentPid: process.pid });
  } catch (err) {
    return finish({ exit: { spawnError: (err as Error).message }, results: null });
  }
  d.log.info({ run: id, pid, pool: data.pool }, "run started");
  let ownReason: string | undefined;
  const stop = (why: string) => {
    ownReason ??= why;
    executor.cancel(pid);
  };
  // BullMQ aborts the signal on worker.cancelJob (a cancel from the bot, or the end of a drain):
  // docs.bullmq.io/guide/workers/cancelling-jobs.
  signal?.addEventListener("abort", () => stop(String(signal.reason ?? "cancelled")), { once: true });

  let exit: ExitRecord | null = null;
  let leaseAt = Date.now();
  while ((exit = executor.exit(id)) === null) {
    if (!executor.alive(id, pid) && executor.exit(id) === null) {
      exit = { exitCode: null, signal: "SIGKILL" };
      break;
    }
    await pushLog();
    if (Date.now() - leaseAt >= leaseMs / 3) {
      leaseAt = Date.now();
      // An expired lease after an outage is renewed; a job the engine no longer has is not:
      // Redis was emptied or replaced, and the bot has ended the run.
      if ((await redis.exists(jobKey(data.pool, id))) === 0) {
        stop("the runner engine lost the run");
        await waitForExit(executor, id);
        rmSync(executor.dirOf(id), { recursive: true, force: true });
        return "ran";
      }
      await redis.set(runKey(id, "lease"), d.workerId, "PX", leaseMs);
    }
    await sleep(d.pollMs ?? 25);
  }
  const result: RemoteResult = { exit: { ...exit, takenAt }, results: files.results(id) };
  if (ownReason !== undefined && exit.cancelled) result.cancelReason = ownReason;
  d.log.info({ run: id, exit }, "run ended");
  return finish(result);
}

async function waitForExit(executor: Executor, id: number): Promise<void> {
  for (let i = 0; i < 600 && executor.exit(id) === null; i++) await sleep(100);
}
