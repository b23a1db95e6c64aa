import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { baseChildEnv } from "../util/child-env.ts";

export interface ExitRecord {
  exitCode?: number | null;
  signal?: string | null;
  timedOut?: boolean;
  cancelled?: boolean;
  spawnError?: string;
  startedAt?: number;
  finishedAt?: number;
  /** When a runner host took the run off the queue (remote runs; the dispatch latency's end). */
  takenAt?: number;
  /** Written by the bot for a run that ended without its runner's word (its host went away). */
  lost?: string;
}

export interface LaunchSpec {
  argv: readonly string[];
  env: Record<string, string>;
  timeoutMs: number;
  graceMs: number;
  /** The wrapper stops the run when this process (a worker) is gone: a lost host's runs do not run on. */
  parentPid?: number;
}

const WRAPPER = new URL("./wrapper.mjs", import.meta.url).pathname;

/**
 * Starts runs in their own session through the wrapper, and reads what they left behind.
 * The bot keeps only the wrapper's pid: the exit status is a file in the run directory, so a
 * restarted bot finds it whether the run ended while it was up or down.
 */
export class Executor {
  constructor(private readonly runsDir: string) {}

  dirOf(runId: number): string {
    return join(this.runsDir, String(runId));
  }

  logOf(runId: number): string {
    return join(this.dirOf(runId), "log");
  }

  /** Launches the run; returns the wrapper's pid. */
  launch(runId: number, spec: LaunchSpec): number {
    const dir = this.dirOf(runId);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "spec.json"), JSON.stringify({ ...spec, cwd: dir }));
    writeFileSync(join(dir, "log"), "");
    // A clean environment: nothing of the bot's (NODE_OPTIONS loaders with their own signal
    // handling, secrets) reaches the wrapper; the runner gets exactly spec.env.
    const child = spawn(process.execPath, [WRAPPER, dir], { detached: true, stdio: "ignore", env: baseChildEnv() });
    child.unref();
    if (child.pid === undefined) throw new Error("the run's wrapper could not be started");
    return child.pid;
  }

  /**
   * Whether this run was launched before (by a process that died before recording it), and
   * by which wrapper: null when it never was; the wrapper's pid when it is alive or known (a
   * dead one with no exit record is a lost run); pid null when only its exit record is left.
   * A wrapper writes its pid first thing, so a run without it never got going.
   */
  launched(runId: number): { pid: number | null } | null {
    const dir = this.dirOf(runId);
    if (!existsSync(join(dir, "spec.json"))) return null;
    const alive = this.findWrapper(runId);
    if (alive !== null) return { pid: alive };
    if (this.exit(runId) !== null) return { pid: null };
    const pidFile = join(dir, "wrapper.pid");
    if (!existsSync(pidFile)) return null;
    return { pid: Number(readFileSync(pidFile, "utf8").trim()) || null };
  }

  /** The live wrapper of a run, found in /proc by its command line. */
  private findWrapper(runId: number): number | null {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        if (cmd[1] === WRAPPER && cmd[2] === this.dirOf(runId)) return Number(entry);
      } catch {
        // the process ended while we looked
      }
    }
    return null;
  }

  exit(runId: number): ExitRecord | null {
    const file = join(this.dirOf(runId), "exit.json");
    if (!existsSync(file)) return null;
    try {
      return JSON.parse(readFileSync(file, "utf8")) as ExitRecord;
    } catch {
      return null;
    }
  }

  /** Whether the wrapper of this run is still alive (and is that wrapper, not a reused pid). */
  alive(runId: number, pid: number): boolean {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(this.dirOf(runId));
    } catch {
      return false;
    }
  }

  /** Asks the wrapper to stop the run (it records the run as cancelled). */
  cancel(pid: number): void {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone: the exit file, or its absence, tells what happened
    }
  }

  results(runId: number): unknown {
    const file = join(this.dirOf(runId), "results.json");
    if (!existsSync(file)) return null;
    try {
      return JSON.parse(readFileSync(file, "utf8").slice(0, 256 * 1024)) as unknown;
    } catch {
      return null;
    }
  }
}
