import type { ExitRecord } from "./executor.ts";

// What the bot and its `cc-ci-bot worker`s share in Redis (docs/runners.md), and nothing else: the
// BullMQ queues (one per pool), each run's log chunks, lease, claim, cancel and result, and
// the workers' heartbeats. Everything of a run is deleted once the bot has copied it home.

export const PREFIX = "ccci";
/** BullMQ custom ids may not be integers nor hold ':' (docs.bullmq.io/guide/jobs/job-ids). */
export const jobIdOf = (runId: number): string => `run-${runId}`;
export const queueOf = (pool: string): string => `runs-${pool}`;
/** The key of a job's hash, as BullMQ names it: gone means the engine forgot the job. */
export const jobKey = (pool: string, runId: number): string => `${PREFIX}:${queueOf(pool)}:${jobIdOf(runId)}`;

export const runKey = (runId: number, what: "log" | "result" | "lease" | "claim" | "cancel"): string => `${PREFIX}:run:${runId}:${what}`;
export const WORKERS = `${PREFIX}:workers`;
export const workerKey = (id: string): string => `${PREFIX}:worker:${id}`;
/** Published with a run id: the worker running it cancels it (BullMQ's worker.cancelJob is local only). */
export const CANCEL_CHANNEL = `${PREFIX}:cancel`;

/**
 * Queue options both sides use. The events stream is kept short: nothing here reads it, and
 * uncapped it would grow with every run (Redis memory must return to its baseline).
 */
export const QUEUE_OPTIONS = { prefix: PREFIX, streams: { events: { maxLen: 10 } } } as const;

/** A job's data: the run's parameters, never a command. */
export interface JobData {
  runId: number;
  pool: string;
  env: Record<string, string>;
  timeoutMs: number;
  graceMs: number;
}

/** What a worker leaves when a run ends, before it lets BullMQ complete the job. */
export interface RemoteResult {
  exit: ExitRecord;
  results: unknown;
  /** Set when the worker stopped the run itself (it was shutting down, the engine forgot it). */
  cancelReason?: string;
}

/** A worker's heartbeat (`/api/runners`). */
export interface WorkerBeat {
  id: string;
  host: string;
  pools: string[];
  concurrency: number;
  busy: number;
  at: number;
}

/** A log chunk: 8 bytes of offset in the run's log, then the bytes (so a copy is idempotent). */
export function encodeChunk(offset: number, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeBigUInt64BE(BigInt(offset));
  return Buffer.concat([head, data]);
}

export function decodeChunk(chunk: Buffer): { offset: number; data: Buffer } {
  return { offset: Number(chunk.readBigUInt64BE(0)), data: chunk.subarray(8) };
}
