// npm run bench:intake:profile [-- --duration 10 --connections 50 --server bot|octokit|bare --keep]
//
// Where the bot's event loop spends its time on an ordinary delivery: the bot (as in
// bench:intake) runs under `node --cpu-prof`, takes the same closed-loop load of signed
// ~7.9 KB pushes, and the samples taken while the load ran are put into the intake's steps
// (profile-steps.ts) and printed as µs per delivery. The profile's own clock counts a sample
// while the thread waits for a core on a busy machine, so its shares are scaled to the main
// thread's CPU time as the kernel counted it (/proc).
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { load, startServer, threadCpu } from "./intake-load.ts";
import { stepsOf, STEPS, type CpuProfile } from "./profile-steps.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    server: { type: "string", default: "bot" },
    keep: { type: "boolean", default: false },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
if (!Number.isInteger(duration) || duration < 1 || !Number.isInteger(connections) || connections < 1) {
  console.error("intake-profile: --duration and --connections take whole numbers of at least 1");
  process.exit(2);
}

const kind = values.server;
if (!["bot", "octokit", "bare"].includes(kind)) {
  console.error(`intake-profile: --server takes bot, octokit or bare; got "${kind}"`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "ccci-intake-profile-"));
const { child, port } = await startServer(kind, ["--cpu-prof", `--cpu-prof-dir=${dir}`, "--cpu-prof-interval=200"]);
let window: { from: number; to: number };
let requests: number;
let mainUs: number;
try {
  await load(port, connections, { seconds: 2 }); // warm-up: JIT, connection pool, SQLite pages
  const before = threadCpu(child.pid!);
  // V8 stamps samples with the monotonic clock in µs, the clock process.hrtime reads.
  const from = Number(process.hrtime.bigint() / 1000n);
  const result = await load(port, connections, { seconds: duration });
  window = { from, to: Number(process.hrtime.bigint() / 1000n) };
  const after = threadCpu(child.pid!);
  requests = result.total;
  mainUs = before && after ? after.main - before.main : NaN;
  console.log(`${kind} under --cpu-prof: ${result.rps.toFixed(0)} req/s, ${requests} deliveries in ${duration} s, non-2xx ${result.non2xx}, errors ${result.errors}`);
} finally {
  child.kill("SIGTERM");
}
await once(child, "exit");
// One profile per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile); thread 0 is the event loop.
const file = readdirSync(dir).find((f) => /\.0\.\d+\.cpuprofile$/.test(f));
if (!file) throw new Error(`no profile written in ${dir}`);
const profile = JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile;
const steps = stepsOf(profile, window);
const sampled = [...steps.values()].reduce((a, b) => a + b, 0);
// Shares of the sampled busy time, in µs of kernel-counted main-thread CPU per delivery.
const scale = Number.isFinite(mainUs) ? mainUs / sampled : 1;
console.log(`event loop: ${(mainUs / requests).toFixed(0)} µs CPU per delivery (/proc); profile: ${(sampled / requests).toFixed(0)} µs busy per delivery sampled`);
for (const step of STEPS) {
  const us = ((steps.get(step) ?? 0) * scale) / requests;
  console.log(`  ${step.padEnd(28)} ${us.toFixed(1).padStart(6)} µs  ${((100 * (steps.get(step) ?? 0)) / sampled).toFixed(1).padStart(5)} %`);
}
if (values.keep) console.log(`profile kept: ${join(dir, file)} (open it in Chrome DevTools, Performance)`);
else rmSync(dir, { recursive: true, force: true });
