// npm run bench:intake [-- --duration 10 --connections 50 --rounds 3]
//
// Side by side in one run, in rounds of all three, on the same signed ~7.9 KB push deliveries
// with distinct ids:
//   bare     node:http that reads the body and answers 202 (the ceiling)
//   octokit  @octokit/webhooks createNodeMiddleware verifying X-Hub-Signature-256 (stores nothing)
//   bot      cc-ci-bot: verify, parse, validate, persist to SQLite (group commit), answer 202
// each with the CPU it used per request (its event loop, its other threads) and the load
// generator's; then the bot alone at a fixed 200 req/s (open loop) for its ack latency, in three
// windows, and its memory across 100,000 deliveries (as it is, and after a full collection).
// Each server runs in its own process; the load generator (autocannon) runs in this one.
import { Agent, request } from "node:http";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { deliveryFactory } from "./payloads.ts";
import { collectGarbage, load as loadOn, rss, SECRET, startServer, threadCpu, type Result } from "./intake-load.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    rounds: { type: "string", default: "3" },
  },
});
const [duration, connections, rounds] = (["duration", "connections", "rounds"] as const).map((name) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench:intake: --${name} must be a whole number of at least 1, got "${values[name]}"`);
    process.exit(2);
  }
  return n;
}) as [number, number, number];
const load = (port: number, until: { seconds: number } | { amount: number }) => loadOn(port, connections, until);

/**
 * An open-loop generator: one request every 1000/rate ms whatever the answers do, each
 * latency measured with the high-resolution clock (autocannon's rate limit sends in bursts
 * and reports whole milliseconds).
 */
async function fixedRate(port: number, rate: number, seconds: number): Promise<Result & { latencies: number[] }> {
  const next = deliveryFactory(SECRET);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const send = () =>
    new Promise<void>((resolve) => {
      const d = next();
      const started = process.hrtime.bigint();
      const req = request(
        { host: "127.0.0.1", port, path: "/webhook", method: "POST", agent, headers: { "content-type": "application/json", "x-gitea-event": "push", "x-gitea-delivery": d.id, "x-gitea-signature": d.signature } },
        (res) => {
          res.resume();
          res.on("end", () => {
            latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
            if ((res.statusCode ?? 0) >= 300) non2xx++;
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(d.body);
    });
  const total = Math.round(rate * seconds);
  const start = performance.now();
  const inFlight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    inFlight.push(send());
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { rps: latencies.length / ((performance.now() - start) / 1000), total: latencies.length, ...quantiles(latencies), non2xx, errors, latencies };
}

function quantiles(latencies: number[]): { p50: number; p99: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99) };
}

async function measure(kind: string): Promise<Result> {
  const { child, port } = await startServer(kind);
  try {
    await load(port, { seconds: 1 }); // warm-up: JIT, connection pool, SQLite pages
    const before = threadCpu(child.pid!);
    const ours = process.cpuUsage();
    const result = await load(port, { seconds: duration });
    const after = threadCpu(child.pid!);
    const loadgen = process.cpuUsage(ours);
    const requests = result.total;
    if (before && after) {
      result.cpu = {
        main: (after.main - before.main) / requests,
        others: (after.others - before.others) / requests,
        loadgen: (loadgen.user + loadgen.system) / requests,
      };
    }
    return result;
  } finally {
    child.kill("SIGTERM");
  }
}

const fmt = (r: Result) =>
  `${r.rps.toFixed(0).padStart(8)} req/s   p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(6)} ms   non-2xx ${r.non2xx}   errors ${r.errors}`;
// Where the two cores go: a server's own threads against the load generator's share.
const fmtCpu = (r: Result) =>
  r.cpu
    ? `         CPU per request: event loop ${r.cpu.main.toFixed(0)} µs, other threads ${r.cpu.others.toFixed(0)} µs; load generator ${r.cpu.loadgen.toFixed(0)} µs`
    : "         CPU per request: not measured (needs Linux /proc)";

console.log(
  `intake benchmark: ${duration} s per server, ${rounds} rounds, ${connections} connections, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}`,
);
// The machine's speed drifts over a minute here; rounds of all three, one after another, and the
// median of each round's ratios keep that drift out of the comparison.
const KINDS = ["bare", "octokit", "bot"] as const;
const ratios = { bare: [] as number[], octokit: [] as number[] };
const rates = { bare: [] as number[], octokit: [] as number[], bot: [] as number[] };
const loopCpu = { bare: [] as number[], octokit: [] as number[], bot: [] as number[] };
const otherCpu = { bare: [] as number[], octokit: [] as number[], bot: [] as number[] };
for (let round = 1; round <= rounds; round++) {
  console.log(`round ${round}`);
  const r = {} as Record<(typeof KINDS)[number], Result>;
  for (const kind of KINDS) {
    r[kind] = await measure(kind);
    rates[kind].push(r[kind].rps);
    if (r[kind].cpu) {
      loopCpu[kind].push(r[kind].cpu!.main);
      otherCpu[kind].push(r[kind].cpu!.others);
    }
    console.log(`  ${kind.padEnd(8)} ${fmt(r[kind])}\n  ${fmtCpu(r[kind])}`);
  }
  ratios.bare.push(r.bot.rps / r.bare.rps);
  ratios.octokit.push(r.bot.rps / r.octokit.rps);
  console.log(`  ratios   bot/bare ${ratios.bare.at(-1)!.toFixed(2)}   bot/octokit ${ratios.octokit.at(-1)!.toFixed(2)}`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const span = (xs: number[]) => `rounds ${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)}`;
console.log(`median of ${rounds} rounds: bare ${median(rates.bare).toFixed(0)} req/s, octokit ${median(rates.octokit).toFixed(0)} req/s, bot ${median(rates.bot).toFixed(0)} req/s`);
console.log(`ratio bot/bare    ${median(ratios.bare).toFixed(2)} (${span(ratios.bare)})   (target >= 0.50)`);
console.log(`ratio bot/octokit ${median(ratios.octokit).toFixed(2)} (${span(ratios.octokit)})   (target >= 1.00)`);
// The throughput ratios move with whatever else the machine runs; the CPU a delivery costs the
// server's own threads (kernel accounting, bench/intake-load.ts) moves much less.
if (loopCpu.bot.length > 0) {
  const us = (xs: number[]) => `${median(xs).toFixed(0).padStart(4)} µs`;
  for (const kind of KINDS) {
    const note = kind === "bot" ? "   (target <= 110 µs on the event loop)" : "";
    console.log(`CPU per delivery  ${kind.padEnd(8)} event loop ${us(loopCpu[kind])}, other threads ${us(otherCpu[kind])} (median of ${loopCpu[kind].length})${note}`);
  }
} else {
  console.log("CPU per delivery: not measured (needs Linux /proc)");
}

const { child, port } = await startServer("bot");
try {
  // A fresh process: warm it up first (JIT tiers, heap, SQLite pages), as a bot that has been
  // running is; the first seconds of a new process are slower, not what deliveries usually meet.
  await fixedRate(port, 200, 5);
  // Three windows in a row, each printed, then all of them together: how much the tail moves
  // from one window to the next on this machine is part of the result.
  const windows: Array<Result & { latencies: number[] }> = [];
  for (let w = 1; w <= 3; w++) {
    const window = await fixedRate(port, 200, duration);
    windows.push(window);
    console.log(`bot at 200 req/s, ${duration} s window ${w}: ${fmt(window)}`);
  }
  const all = windows.flatMap((w) => w.latencies);
  const { p50, p99 } = quantiles(all);
  const sum = (f: (w: Result) => number) => windows.reduce((n, w) => n + f(w), 0);
  console.log(`bot at 200 req/s, all ${3 * duration} s ${fmt({ rps: all.length / (3 * duration), total: all.length, p50, p99, non2xx: sum((w) => w.non2xx), errors: sum((w) => w.errors) })}   (target p99 < 5 ms)`);
} finally {
  child.kill("SIGTERM");
}

// Memory stays flat: the bot's resident size after a warm-up that lets its heap reach its working
// size, then every 20,000 deliveries across 100,000 more, as it is and after a full collection.
// The heap's old generation grows until a collection and drops back, over a few hundred thousand
// deliveries here: a sample as it is shows where in that cycle it was taken, the one after a
// collection what the bot keeps, which is what must not grow.
const mem = await startServer("bot", ["--expose-gc"]);
try {
  await load(mem.port, { amount: 30_000 });
  const sample = async () => {
    const asIs = rss(mem.child.pid!);
    await collectGarbage(mem);
    return { asIs, kept: rss(mem.child.pid!) };
  };
  const samples = [await sample()];
  for (let i = 0; i < 5; i++) {
    await load(mem.port, { amount: 20_000 });
    samples.push(await sample());
  }
  const mb = (b: number) => (b / 2 ** 20).toFixed(1);
  const growth = samples.at(-1)!.kept - samples[0]!.kept;
  console.log(`bot memory  RSS ${samples.map((s) => mb(s.asIs)).join(" -> ")} MB every 20,000 deliveries after a 30,000 warm-up`);
  console.log(`            after a full collection ${samples.map((s) => mb(s.kept)).join(" -> ")} MB: growth ${mb(growth)} MB   (target < 20 MB)`);
} finally {
  mem.child.kill("SIGTERM");
}
