import type { ExitRecord } from "./executor.ts";

/**
 * What a runner backend is told about a run: its parameters, never a command. Each backend runs
 * the command of its own configuration (the bot's for `local`, each worker host's for `bullmq`).
 */
export interface RunParams {
  runId: number;
  /** The pool of runner hosts that may take it (`testme.runner.pool`); `local` has one. */
  pool: string;
  /** The run's CCCI_* values; CCCI_RUN_DIR is added by whoever runs it (a directory of its host). */
  env: Record<string, string>;
  timeoutMs: number;
  graceMs: number;
}

/** Where a run stands, as its backend sees it. */
export type RunnerView =
  /** Never dispatched to this backend. */
  | { state: "unknown" }
  /** Dispatched; no runner has taken it yet. */
  | { state: "waiting"; pool: string }
  | { state: "running" }
  /**
   * Over. `exit` null is a run that ended without an exit record: cancelled before it started, or
   * lost (`lost` says how: its process died, its host went away, the engine forgot it).
   */
  | { state: "ended"; exit: ExitRecord | null; lost: string | null; cancelReason: string | null };

/** The slots runners offer: in all (`slots`), and per pool (`pools`; null: every pool shares `slots`). */
export interface RunnerCapacity {
  slots: number;
  pools: Record<string, number> | null;
}

/** One runner host as it last told the engine (`/api/runners`). */
export interface RunnerHost {
  id: string;
  host: string;
  pools: string[];
  concurrency: number;
  busy: number;
  lastSeenMs: number;
}

/**
 * The one door between the run service (queue, lanes, verdicts, reports) and whatever runs the
 * runner (DESIGN: runs behind a port). Logs and results of every run end up in the bot's data dir,
 * so run pages and retention read them the same way whichever backend ran it.
 */
export interface RunnerPort {
  readonly kind: "local" | "bullmq";
  /**
   * Hands a run over, once: asked again for the same run id (a retry, a bot that died between
   * dispatching and recording it), it starts nothing new and says `adopted`.
   */
  dispatch(p: RunParams): Promise<{ adopted: boolean; handle: number }>;
  inspect(runId: number): Promise<RunnerView>;
  /** The runs this backend has in flight (adoption at start). */
  active(): Promise<number[]>;
  /** Asks the run to stop; its end (ERROR, with `reason`) is seen through `inspect`. */
  cancel(runId: number, reason: string): Promise<void>;
  /** Up to `max` bytes of the run's log from `offset` (the bot's copy). */
  readLog(runId: number, offset: number, max: number): Buffer;
  logSize(runId: number): number;
  /** The run's results.json, parsed, or null. */
  results(runId: number): unknown;
  capacity(): Promise<RunnerCapacity>;
  /** The runner hosts serving this bot (local: none). */
  hosts(): Promise<RunnerHost[]>;
  /** null while the engine answers; otherwise what the dashboard says. */
  problem(): string | null;
  close(): Promise<void>;
}

/** The last `max` bytes of a run's log, as text. */
export function logTail(port: Pick<RunnerPort, "readLog" | "logSize">, runId: number, max: number): string {
  const size = port.logSize(runId);
  return port.readLog(runId, Math.max(0, size - max), max).toString("utf8");
}
