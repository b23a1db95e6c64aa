import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, cleanEnv } from "./child-bot.ts";
import type { Redis } from "ioredis";
import { jobKey, runKey } from "../../src/runs/remote-keys.ts";
import { tempDir } from "./temp.ts";

export interface WorkerProcess {
  child: ChildProcess;
  dir: string;
  logs: string[];
  exited: Promise<number | null>;
  /** The run dir of a run on this host (its runner's CCCI_RUN_DIR). */
  runDir(runId: number): string;
}

export interface WorkerOptions {
  redisUrl: string;
  command: string[];
  concurrency?: number;
  pools?: string[];
  name?: string;
  lockSeconds?: number;
  drainSeconds?: number;
}

/** `cc-ci-bot worker` as a real process with a directory of its own: a runner host. */
export async function spawnWorker(o: WorkerOptions): Promise<WorkerProcess> {
  const dir = tempDir("ccci-worker-");
  mkdirSync(join(dir, "data"), { recursive: true });
  const config = join(dir, "worker.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      redis: o.redisUrl,
      command: o.command,
      concurrency: o.concurrency ?? 2,
      pools: o.pools ?? ["default"],
      dataDir: join(dir, "data"),
      name: o.name ?? "host",
      lockSeconds: o.lockSeconds ?? 2,
      drainSeconds: o.drainSeconds ?? 30,
      logLevel: "debug",
    }),
  );
  const child = spawn(process.execPath, [BIN, "worker", "--config", config], { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.stderr!.on("data", (d: Buffer) => logs.push(d.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      logs.push(d.toString());
      if (logs.join("").includes('"worker ready"')) resolve();
    });
    void exited.then((code) => reject(new Error(`worker exited with ${code}:\n${logs.join("")}`)));
  });
  return { child, dir, logs, exited, runDir: (id) => join(dir, "data", "runs", String(id)) };
}

export async function killWorker(w: WorkerProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return;
  w.child.kill(signal);
  await w.exited;
}

/**
 * The run dir of the host that runs `runId`, once its runner has started. On a timeout the error
 * says what Redis knows of the run (job state, claim) and what each host logged of it.
 */
export async function hostRunning(workers: WorkerProcess[], redis: Redis, runId: number, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dir = workers.map((w) => w.runDir(runId)).find((d) => existsSync(join(d, "runner.pid")));
    if (dir) return dir;
    if (Date.now() > deadline) {
      // Whichever pool's queue holds it.
      const [key] = await redis.keys(jobKey("*", runId)).catch(() => []);
      const job = key ? await redis.hgetall(key).catch((err: Error) => ({ error: err.message })) : {};
      const claim = await redis.get(runKey(runId, "claim")).catch(() => "?");
      const { data: _data, ...state } = job as Record<string, string>;
      const told = workers.map((w, i) => `host ${i + 1} (exit ${w.child.exitCode ?? w.child.signalCode ?? "-"}):\n${w.logs.join("").split("\n").slice(-15).join("\n")}`);
      throw new Error(`timed out after ${timeoutMs} ms waiting for a host to run ${runId}; job ${JSON.stringify(state)}, claim ${claim}\n${told.join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
