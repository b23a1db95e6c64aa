// npm run bench:runners [-- --runs 200]
//
// The same runs of the demo's sample runner through the two runner backends, with the same
// total capacity: `local` (4 wrapper processes on this machine) and `bullmq` (a real
// redis-server and 2 `cc-ci-bot worker` processes × 2). A small scheduler drives each backend
// through the RunnerPort exactly as the run service does (dispatch when a slot is free, look at
// the running runs), looking every 20 ms. Prints the dispatch overhead (handed over -> the
// run's wrapper started) p50/p99, the throughput of each and their ratio, and Redis's memory
// after the runs against its baseline.
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { systemClock } from "../src/clock.ts";
import { BullmqRunner } from "../src/runs/bullmq-runner.ts";
import { LocalRunner } from "../src/runs/local-runner.ts";
import type { RunnerPort } from "../src/runs/runner-port.ts";
import { removeDir, tempDir } from "../test/support/temp.ts";
import { startRedis } from "../test/support/redis-server.ts";
import { quietLog } from "../test/support/runner-backends.ts";
import { killWorker, spawnWorker } from "../test/support/worker-process.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "200" } } });
const RUNS = Number(values.runs);
const SLOTS = 4;
const SAMPLE = [process.execPath, new URL("../src/demo/sample-runner.mjs", import.meta.url).pathname];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Result {
  overheads: number[];
  /** Handed over -> a runner host took it (bullmq only). */
  handoffs: number[];
  seconds: number;
  red: number;
}

async function drive(port: RunnerPort, firstId: number): Promise<Result> {
  const overheads: number[] = [];
  const handoffs: number[] = [];
  const handed = new Map<number, number>();
  let next = 0;
  let red = 0;
  const started = Date.now();
  while (next < RUNS || handed.size > 0) {
    for (const [id, at] of handed) {
      const v = await port.inspect(id);
      if (v.state !== "ended") continue;
      handed.delete(id);
      if (v.exit?.exitCode !== 0) red++;
      if (v.exit?.startedAt) overheads.push(v.exit.startedAt - at);
      if (v.exit?.takenAt) handoffs.push(v.exit.takenAt - at);
    }
    while (handed.size < SLOTS && next < RUNS) {
      const id = firstId + next++;
      const env = { CCCI_RUN_ID: String(id), CCCI_REPO: "recipes/bench", CCCI_RECIPE: "bench", CCCI_PR: "1", CCCI_SHA: "b".repeat(40), CCCI_REF: "bench", CCCI_QUICK: "1", CCCI_TRIGGER: "pr", CCCI_CLONE_URL: "http://x", CCCI_RUN_URL: "http://x" };
      handed.set(id, Date.now());
      await port.dispatch({ runId: id, pool: "default", env, timeoutMs: 60_000, graceMs: 1000 });
    }
    await sleep(20);
  }
  return { overheads, handoffs, seconds: (Date.now() - started) / 1000, red };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

const localDir = tempDir("ccci-bench-local-");
const local = await drive(new LocalRunner({ runsDir: localDir, command: SAMPLE, capacity: SLOTS }), 1);

const redis = await startRedis();
const workers = await Promise.all(["bench-1", "bench-2"].map((name) => spawnWorker({ redisUrl: redis.url, command: SAMPLE, concurrency: 2, name, lockSeconds: 30 })));
const bullDir = tempDir("ccci-bench-bullmq-");
const port = new BullmqRunner({ redisUrl: redis.url, runsDir: bullDir, pools: ["default"], lockMs: 30_000, clock: systemClock, log: quietLog });
while ((await port.capacity().catch(() => ({ slots: 0 }))).slots < SLOTS) await sleep(50);
const memory = async () => Number(/used_memory:(\d+)/.exec(await redis.client.info("memory"))![1]);
// A first run so that the baseline includes what exists once anything ran (the queue's meta keys).
const warmup = RUNS;
await drive(port, 100_000);
const baseline = await memory();
const remote = await drive(port, 1);
// One more pass of the scheduler: jobs still locked when their run ended are removed then.
await port.capacity();
const after = await memory();
const leftover = [...(await redis.client.keys("ccci:run:*")), ...(await redis.client.keys("ccci:runs-default:run-*"))];

await port.close();
await Promise.all(workers.map((w) => killWorker(w, "SIGTERM")));
await redis.stop();
removeDir(localDir);
removeDir(bullDir);

const ms = (x: number) => `${x.toFixed(0)} ms`;
console.log(`${RUNS} runs of the sample runner, ${SLOTS} slots; ${cpus().length} × ${cpus()[0]?.model ?? "?"}, Node ${process.version}`);
for (const [name, r] of [["local (capacity 4)", local], ["bullmq (2 workers × 2)", remote]] as const) {
  console.log(`  ${name.padEnd(24)} dispatch overhead p50 ${ms(pct(r.overheads, 50))}, p99 ${ms(pct(r.overheads, 99))}; ${(RUNS / r.seconds).toFixed(2)} runs/s (${r.seconds.toFixed(1)} s)${r.red ? `; ${r.red} not GREEN` : ""}`);
}
const ratio = RUNS / remote.seconds / (RUNS / local.seconds);
console.log(`  throughput bullmq/local: ${ratio.toFixed(2)} (goal >= 0.9)`);
console.log(`  bullmq hand-off (handed over -> a worker took it) p50 ${ms(pct(remote.handoffs, 50))}, p99 ${ms(pct(remote.handoffs, 99))}; over local's dispatch overhead: p50 +${ms(pct(remote.overheads, 50) - pct(local.overheads, 50))}, p99 +${ms(pct(remote.overheads, 99) - pct(local.overheads, 99))} (goal < 100 ms)`);
console.log(`  Redis used_memory: baseline ${(baseline / 1024).toFixed(0)} KiB, after the runs ${(after / 1024).toFixed(0)} KiB (${(((after - baseline) / baseline) * 100).toFixed(1)}%); run keys left: ${leftover.length ? leftover.join(" ") : "none"} (after ${warmup} warm-up runs)`);
