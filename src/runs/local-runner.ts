import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { baseChildEnv } from "../util/child-env.ts";
import { Executor } from "./executor.ts";
import { RunFiles } from "./run-files.ts";
import type { RunnerCapacity, RunnerPort, RunnerView, RunParams } from "./runner-port.ts";

export interface LocalRunnerConfig {
  runsDir: string;
  command: readonly string[] | undefined;
  capacity: number;
}

/**
 * Runs on the bot's own machine (the default, no engine): each run a wrapper process in its own
 * session (`wrapper.mjs`), which outlives the bot and records the exit status in the run dir.
 */
export class LocalRunner implements RunnerPort {
  readonly kind = "local" as const;
  readonly files: RunFiles;
  private readonly executor: Executor;
  /** Wrappers this process started: their pids before they wrote wrapper.pid. */
  private readonly pids = new Map<number, number>();

  constructor(private readonly config: LocalRunnerConfig) {
    this.files = new RunFiles(config.runsDir);
    this.executor = new Executor(config.runsDir);
  }

  dispatch(p: RunParams): Promise<{ adopted: boolean; handle: number }> {
    // A run is launched once. The previous bot process may have launched this one and died
    // before recording it: its wrapper is alive, or left its exit record; either way adopted.
    const earlier = this.executor.launched(p.runId);
    if (earlier !== null) return Promise.resolve({ adopted: true, handle: earlier.pid ?? 0 });
    const { command } = this.config;
    if (!command) return Promise.reject(new NotConfigured());
    const env = { ...baseChildEnv(), ...p.env, CCCI_RUN_DIR: this.executor.dirOf(p.runId) };
    const pid = this.executor.launch(p.runId, { argv: command, env, timeoutMs: p.timeoutMs, graceMs: p.graceMs });
    this.pids.set(p.runId, pid);
    return Promise.resolve({ adopted: false, handle: pid });
  }

  inspect(runId: number): Promise<RunnerView> {
    return Promise.resolve(this.view(runId));
  }

  private view(runId: number): RunnerView {
    const ended = (lost: string | null): RunnerView => ({ state: "ended", exit: this.executor.exit(runId), lost, cancelReason: this.files.cancelReason(runId) });
    if (this.executor.exit(runId) !== null) return ended(null);
    const dir = this.executor.dirOf(runId);
    if (!existsSync(join(dir, "spec.json"))) return { state: "unknown" };
    const pid = this.pidOf(runId);
    if (pid !== null && this.executor.alive(runId, pid)) return { state: "running" };
    // Gone without an exit record (the machine rebooted, someone killed the wrapper), unless it
    // wrote one while we looked.
    if (this.executor.exit(runId) !== null) return ended(null);
    return ended("the run's process was lost");
  }

  private pidOf(runId: number): number | null {
    const known = this.pids.get(runId);
    if (known !== undefined) return known;
    const file = join(this.executor.dirOf(runId), "wrapper.pid");
    if (existsSync(file)) return Number(readFileSync(file, "utf8").trim()) || null;
    return this.executor.launched(runId)?.pid ?? null;
  }

  active(): Promise<number[]> {
    if (!existsSync(this.config.runsDir)) return Promise.resolve([]);
    const ids = readdirSync(this.config.runsDir).filter((e) => /^\d+$/.test(e)).map(Number);
    return Promise.resolve(ids.filter((id) => this.view(id).state === "running"));
  }

  cancel(runId: number, reason: string): Promise<void> {
    this.files.writeCancelReason(runId, reason);
    const pid = this.pidOf(runId);
    if (pid !== null && this.executor.alive(runId, pid)) this.executor.cancel(pid);
    return Promise.resolve();
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

  capacity(): Promise<RunnerCapacity> {
    return Promise.resolve({ slots: this.config.capacity, pools: null });
  }

  hosts(): Promise<[]> {
    return Promise.resolve([]);
  }

  problem(): null {
    return null;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** No runner command: the run ends ERROR saying which key to set. */
export class NotConfigured extends Error {
  constructor() {
    super("no runner is configured (testme.runner.command)");
  }
}
