import { existsSync } from "node:fs";
import { join } from "node:path";
import { systemClock } from "../../src/clock.ts";
import { createLogger } from "../../src/log.ts";
import { BullmqRunner } from "../../src/runs/bullmq-runner.ts";
import { LocalRunner } from "../../src/runs/local-runner.ts";
import type { RunnerPort, RunnerView } from "../../src/runs/runner-port.ts";
import { startRedis, type RedisServer } from "./redis-server.ts";
import { tempDir } from "./temp.ts";
import { waitFor } from "./wait.ts";
import { hostRunning, killWorker, spawnWorker, type WorkerProcess } from "./worker-process.ts";

export const RUNNER = new URL("./runner.mjs", import.meta.url).pathname;
/** The scriptable runner, its behaviour named by the run's ref ("hold-1" -> hold). */
export const RUNNER_COMMAND = [process.execPath, RUNNER, "by-ref"];
export const quietLog = createLogger("silent", (s) => s);

/** One backend as the contract suite drives it. */
export interface BackendRig {
  name: "local" | "bullmq";
  /** A new port instance over the same state (a bot process; a second call is a restarted bot). */
  port(): RunnerPort;
  /** Where the runner of a run works (on whichever host took it). */
  hostDir(runId: number): Promise<string>;
  redis?: RedisServer;
  workers: WorkerProcess[];
  close(): Promise<void>;
}

export function localRig(): BackendRig {
  const runsDir = tempDir();
  const ports: RunnerPort[] = [];
  return {
    name: "local",
    workers: [],
    port() {
      const p = new LocalRunner({ runsDir, command: RUNNER_COMMAND, capacity: 4 });
      ports.push(p);
      return p;
    },
    hostDir: (id) => waitFor(() => [join(runsDir, String(id))].find((d) => existsSync(join(d, "runner.pid"))), `the runner of ${id} to start`),
    async close() {
      for (const p of ports) await p.close();
    },
  };
}

/** A real redis-server and two worker processes (two hosts, 2 slots each). */
export async function bullmqRig(o: { lockSeconds?: number; workers?: number } = {}): Promise<BackendRig> {
  const redis = await startRedis();
  const lockSeconds = o.lockSeconds ?? 2;
  const workers = await Promise.all(
    Array.from({ length: o.workers ?? 2 }, (_, i) => spawnWorker({ redisUrl: redis.url, command: RUNNER_COMMAND, concurrency: 2, name: `host-${"ab"[i] ?? i}`, lockSeconds })),
  );
  const runsDir = tempDir();
  const ports: RunnerPort[] = [];
  return {
    name: "bullmq",
    redis,
    workers,
    port() {
      const p = new BullmqRunner({ redisUrl: redis.url, runsDir, pools: ["default"], lockMs: lockSeconds * 1000, clock: systemClock, log: quietLog });
      ports.push(p);
      return p;
    },
    hostDir: (id) => hostRunning(workers, redis.client, id),
    async close() {
      for (const p of ports) await p.close();
      await Promise.all(workers.map((w) => killWorker(w)));
      await redis.stop();
    },
  };
}

export function params(runId: number, ref: string) {
  return {
    runId,
    pool: "default",
    env: { CCCI_RUN_ID: String(runId), CCCI_REPO: "recipes/nextcloud", CCCI_RECIPE: "nextcloud", CCCI_REF: ref, CCCI_SHA: "a".repeat(40), CCCI_TRIGGER: "pr", CCCI_PR: "1", CCCI_CLONE_URL: "http://x/r.git", CCCI_QUICK: "0", CCCI_RUN_URL: `http://bot/runs/${runId}` },
    timeoutMs: 60_000,
    graceMs: 200,
  };
}

/** Waits until the port says the run is over (a look copies logs home, as the run service's pass does). */
export function ended(port: RunnerPort, runId: number, timeoutMs = 20_000): Promise<Extract<RunnerView, { state: "ended" }>> {
  return waitFor(async () => {
    const v = await port.inspect(runId);
    return v.state === "ended" ? v : null;
  }, `run ${runId} to end`, timeoutMs);
}
