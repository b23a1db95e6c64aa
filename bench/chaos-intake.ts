// npm run bench:chaos:intake [-- --seconds 6] [-- --only hostile,memory,slow,413,labels] [-- --malloc-default]
//
// The intake's side of the chaos campaign, against the bot as its own process (`cc-ci-bot
// serve`): signed hostile bodies (deep nesting, huge fields, many values, 1-2.4 MB) with normal
// deliveries alongside, measuring the normal ones' latency; resident memory before and after a
// burst of large deliveries; slow senders; the 413 as Node's fetch, Node's http client and a
// raw-socket client that writes its whole body before reading each see it; and /metrics under
// deliveries with made-up event names. Prints the figures; exits 1 when a target is missed.
import { once } from "node:events";
import { readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { tempDir } from "../test/support/temp.ts";
import { spawnBot } from "../test/support/child-bot.ts";
import { writeBotConfig } from "./bot-config.ts";
import { bigRealPush, hostile, push, sign, type Delivery } from "./chaos/bodies.ts";
import { CLIENTS, post, slowSender } from "../test/support/http-clients.ts";

const SECTIONS = ["hostile", "memory", "slow", "413", "labels"];
const { values } = parseArgs({ options: { seconds: { type: "string", default: "6" }, only: { type: "string", default: SECTIONS.join(",") }, "malloc-default": { type: "boolean", default: false } } });
const mallocDefault = values["malloc-default"];
const only = new Set(values.only.split(","));
for (const s of only) {
  if (!SECTIONS.includes(s)) {
    console.error(`bench:chaos:intake: --only takes ${SECTIONS.join(", ")}; got "${s}"`);
    process.exit(2);
  }
}
const seconds = Number(values.seconds);
if (!Number.isInteger(seconds) || seconds < 1) {
  console.error(`bench:chaos:intake: --seconds must be a whole number of at least 1, got "${values.seconds}"`);
  process.exit(2);
}
const SECRET = "bench-chaos-secret";
const REPO = "recipes/chaos";
const TIMEOUT_S = 5;

const dir = tempDir("ccci-bench-chaos-");
const config = writeBotConfig(dir, "http://127.0.0.1:9", SECRET, {
  testme: { repos: ["recipes/*"] },
  // A short bound so the slow-sender round takes seconds; the default is 30 s.
  server: { port: 0, host: "127.0.0.1", requestTimeoutSeconds: TIMEOUT_S },
});
// As deployed (deploy/systemd/cc-ci-bot.service): glibc returns large freed buffers at once.
// --malloc-default measures without it.
const bot = await spawnBot(config, [], mallocDefault ? {} : { MALLOC_MMAP_THRESHOLD_: "131072" });
const pid = bot.child.pid!;
const rssMb = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) / 1024;
const misses: string[] = [];
const fmt = (n: number, d = 0) => n.toFixed(d);

async function deliver(d: Delivery): Promise<{ status: number; ms: number; text: string }> {
  const t = performance.now();
  const headers = { "content-type": "application/json", "x-gitea-event": d.event, "x-gitea-delivery": d.id, "x-gitea-signature": d.signature };
  try {
    const r = await fetch(`${bot.url}/webhook`, { method: "POST", headers, body: d.body });
    const text = (await r.text()).trim();
    return { status: r.status, ms: performance.now() - t, text };
  } catch (err) {
    return { status: 0, ms: performance.now() - t, text: String(err) };
  }
}
const normal = () => sign(SECRET, "push", push(REPO));
/** CPU time (ms) the bot's main thread (its event loop) has used: load on the machine does not inflate it. */
function mainThreadCpuMs(): number {
  const fields = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ (100/s) ticks
}
/** The bot's own measure: the longest its event loop was held since the last call, in ms. */
async function loopDelayMax(): Promise<number> {
  const text = await (await fetch(`${bot.url}/metrics`)).text();
  return Number(/^ccci_event_loop_delay_max_seconds ([0-9.e+-]+)$/m.exec(text)?.[1] ?? NaN) * 1000;
}

/** Normal deliveries one after another every 20 ms until `until` resolves; their latencies. */
async function normalTraffic(until: Promise<unknown>): Promise<{ max: number; p50: number; n: number; bad: number }> {
  let stop = false;
  void until.then(() => (stop = true));
  const ms: number[] = [];
  let bad = 0;
  while (!stop) {
    const r = await deliver(normal());
    ms.push(r.ms);
    if (r.status !== 202) bad++;
    await new Promise((res) => setTimeout(res, 20));
  }
  ms.sort((a, b) => a - b);
  return { max: ms.at(-1) ?? 0, p50: ms[Math.floor(ms.length / 2)] ?? 0, n: ms.length, bad };
}

try {
  console.log(`intake chaos: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}, ${seconds} s per hostile shape`);
  for (let i = 0; i < 300; i++) await deliver(normal());
  const baseline = rssMb();
  console.log(`bot RSS after 300 normal deliveries (baseline): ${fmt(baseline, 1)} MB`);
  // The control: normal deliveries alone, for what this machine's load does to them by itself.
  await loopDelayMax();
  const cpuC = mainThreadCpuMs();
  const control = await normalTraffic(new Promise((r) => setTimeout(r, seconds * 1000)));
  console.log(`  control, normal deliveries alone: ${control.n}, p50 ${fmt(control.p50, 1)} ms, max ${fmt(control.max, 1)} ms; bot's event loop held at most ${fmt(await loopDelayMax())} ms, its CPU per delivery ${fmt((mainThreadCpuMs() - cpuC) / control.n, 1)} ms`);

  // 1. Hostile bodies, four senders at a time, with normal deliveries alongside.
  let worstNormal = 0;
  let worstLoop = 0;
  for (const size of only.has("hostile") ? [1_000_000, 2_400_000] : []) {
    for (const [shape, make] of Object.entries(hostile(REPO, size))) {
      const sample = make();
      await loopDelayMax(); // starts the window
      const cpu0 = mainThreadCpuMs();
      const statuses = new Map<string, number>();
      const times: number[] = [];
      const deadline = Date.now() + seconds * 1000;
      const senders = Array.from({ length: 4 }, async () => {
        while (Date.now() < deadline) {
          const r = await deliver(sign(SECRET, "push", shape === "huge string" ? make() : sample));
          times.push(r.ms);
          const key = `${r.status} ${r.text.replace(/delivery \S+/, "delivery …").slice(0, 90)}`;
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
      });
      const all = Promise.all(senders);
      const n = await normalTraffic(all);
      await all;
      worstNormal = Math.max(worstNormal, n.max);
      const held = await loopDelayMax();
      const cpuEach = (mainThreadCpuMs() - cpu0) / Math.max(1, times.length + n.n);
      worstLoop = Math.max(worstLoop, held);
      const mean = times.reduce((a, b) => a + b, 0) / Math.max(1, times.length);
      console.log(`  ${shape.padEnd(12)} ${(sample.length / 1e6).toFixed(1)} MB x4: ${times.length} sent, mean ${fmt(mean)} ms each; normal deliveries: ${n.n}, p50 ${fmt(n.p50, 1)} ms, max ${fmt(n.max, 1)} ms, not 202: ${n.bad}; bot's event loop held at most ${fmt(held)} ms, its CPU per delivery ${fmt(cpuEach, 1)} ms`);
      for (const [k, c] of statuses) console.log(`      ${c} x ${k}`);
    }
  }
  if (only.has("hostile")) {
    console.log(`max normal-delivery latency under hostile load: ${fmt(worstNormal)} ms   (target < 1000 ms)`);
    if (worstNormal >= 1000) misses.push("normal-delivery latency under hostile load");
    console.log(`longest the bot's event loop was held under hostile load: ${fmt(worstLoop)} ms   (target: no delivery delays another by more than 100 ms)`);
    // 2. The largest real push: five commits of 2,000 files each, as Gitea lists them.
    const big = sign(SECRET, "push", bigRealPush(REPO, 2000));
    const bigR = await deliver(big);
    console.log(`largest real push (5 commits x 2,000 paths of 80 chars, pretty-printed): ${fmt(big.body.length / 1024)} KiB -> ${bigR.status} in ${fmt(bigR.ms)} ms`);
  }

  // 3. Memory: a burst of 200 distinct ~1 MB valid deliveries, 16 at a time.
  if (only.has("memory")) {
  const before = rssMb();
  let sent = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (sent < 200) {
        sent++;
        await deliver(sign(SECRET, "push", push(REPO, (p) => ((p.commits as Array<Record<string, unknown>>)[0]!.message = `big\n${"m".repeat(1_000_000)}`))));
      }
    }),
  );
  const peak = rssMb();
  const t0 = Date.now();
  let after = peak;
  const series: string[] = [];
  while (Date.now() - t0 < 60_000 && after - baseline > 50) {
    await new Promise((r) => setTimeout(r, 2000));
    after = rssMb();
    series.push(fmt(after));
  }
  console.log(`  RSS every 2 s after the burst: ${series.join(" ")} MB`);
  const back = (Date.now() - t0) / 1000;
  console.log(`memory: baseline ${fmt(baseline)} MB, before the burst ${fmt(before)} MB, right after 200 x 1 MB ${fmt(peak)} MB, ${fmt(after)} MB ${after - baseline <= 50 ? `after ${fmt(back)} s` : "after 60 s"}   (target: within 50 MB of the baseline within 60 s)`);
  if (after - baseline > 50) misses.push("memory after the burst");
  }

  // 4. Slow senders: 100 trickling their headers, 100 their body, one byte a second.
  if (only.has("slow")) {
  const slow = [...Array.from({ length: 100 }, () => slowSender(bot.port, "headers")), ...Array.from({ length: 100 }, () => slowSender(bot.port, "body"))];
  const cutoff = new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (slow.every((s) => s.closedAfter !== null) || Date.now() - t0s > (TIMEOUT_S + 10) * 1000) {
        clearInterval(t);
        resolve();
      }
    }, 100);
  });
  const t0s = Date.now();
  const slowNormal = await normalTraffic(cutoff);
  const closed = slow.filter((s) => s.closedAfter !== null);
  const got408 = slow.filter((s) => s.status === 408).length;
  const lastClose = Math.max(0, ...closed.map((s) => s.closedAfter!));
  for (const s of slow) s.stop();
  console.log(`slow senders: ${closed.length}/200 closed (${got408} answered 408), the last after ${fmt(lastClose / 1000, 1)} s with a bound of ${TIMEOUT_S} s; normal deliveries meanwhile: max ${fmt(slowNormal.max)} ms, not 202: ${slowNormal.bad}`);
  if (closed.length < 200 || lastClose > (TIMEOUT_S + 3) * 1000) misses.push("slow senders");
  }

  // 5. The 413 for a 6 MiB signed body, 10 times with each client.
  const huge = sign(SECRET, "push", Buffer.alloc(6 * 1024 * 1024, 0x20));
  const headers = { "content-type": "application/json", "x-gitea-event": "push", "x-gitea-delivery": huge.id, "x-gitea-signature": huge.signature };
  for (const client of only.has("413") ? CLIENTS : []) {
    let read = 0;
    const errors = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const r = await post(client, bot.port, headers, huge.body);
      if ("status" in r && r.status === 413) read++;
      else errors.add("status" in r ? String(r.status) : r.error);
    }
    console.log(`413 read by ${client.padEnd(5)} ${read}/10${errors.size ? `   (otherwise: ${[...errors].join(", ")})` : ""}`);
    if (read < 10) misses.push(`413 with ${client}`);
  }

  // 6. Labels: 2,000 signed deliveries with made-up event names.
  if (only.has("labels")) {
  const metrics = async () => (await (await fetch(`${bot.url}/metrics`)).text()).length;
  const m0 = await metrics();
  for (let i = 0; i < 2000; i++) await deliver(sign(SECRET, `made-up-${i}`, Buffer.from(`{"n":${i}}`)));
  const m1 = await metrics();
  console.log(`/metrics after 2,000 deliveries with made-up event names: ${m0} -> ${m1} bytes (${m1 - m0 >= 0 ? "+" : ""}${m1 - m0})   (target: no growth beyond a few counters)`);
  if (m1 - m0 > 2000) misses.push("metric labels");
  }
} finally {
  bot.child.kill("SIGTERM");
  if (bot.child.exitCode === null) await once(bot.child, "exit");
  rmSync(dir, { recursive: true, force: true });
}
console.log(misses.length ? `targets missed: ${misses.join(", ")}` : "all intake targets met");
process.exitCode = misses.length ? 1 : 0;
