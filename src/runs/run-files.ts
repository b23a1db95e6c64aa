import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ExitRecord } from "./executor.ts";

const MAX_RESULTS = 256 * 1024;

/**
 * The bot's copy of each run under `dataDir/runs/<id>`: log, results.json, exit.json and the
 * reason of a cancel. Local runs write there directly; remote runs are copied there, so run
 * pages, result comments and retention read one place.
 */
export class RunFiles {
  constructor(readonly root: string) {}

  dirOf(runId: number): string {
    return join(this.root, String(runId));
  }

  ensure(runId: number): string {
    const dir = this.dirOf(runId);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  logSize(runId: number): number {
    try {
      return statSync(join(this.dirOf(runId), "log")).size;
    } catch {
      return 0;
    }
  }

  readLog(runId: number, offset: number, max: number): Buffer {
    const file = join(this.dirOf(runId), "log");
    if (!existsSync(file) || max <= 0) return Buffer.alloc(0);
    const buf = Buffer.alloc(max);
    const fd = openSync(file, "r");
    try {
      return buf.subarray(0, readSync(fd, buf, 0, max, offset));
    } finally {
      closeSync(fd);
    }
  }

  exit(runId: number): ExitRecord | null {
    return readJson(join(this.dirOf(runId), "exit.json")) as ExitRecord | null;
  }

  /** Written whole or not at all: its presence means the run is over. */
  writeExit(runId: number, exit: ExitRecord): void {
    const dir = this.ensure(runId);
    writeFileSync(join(dir, "exit.json.tmp"), JSON.stringify(exit));
    renameSync(join(dir, "exit.json.tmp"), join(dir, "exit.json"));
  }

  results(runId: number): unknown {
    return readJson(join(this.dirOf(runId), "results.json"));
  }

  cancelReason(runId: number): string | null {
    const file = join(this.dirOf(runId), "cancel-reason");
    return existsSync(file) ? readFileSync(file, "utf8").slice(0, 200) : null;
  }

  writeCancelReason(runId: number, reason: string): void {
    writeFileSync(join(this.ensure(runId), "cancel-reason"), reason.slice(0, 200));
  }
}

function readJson(file: string): unknown {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, "utf8").slice(0, MAX_RESULTS)) as unknown;
  } catch {
    return null;
  }
}
