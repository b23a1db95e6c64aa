// npm run bench:handoff [-- --pushes 200]
//
// From a signed push delivery leaving the (emulated) Gitea to the ping text submitted in a
// real tmux pane, against the bot running as its own process (`cc-ci-bot serve`) with a real
// bare repo, a real clone pushing to it, and a fake agent that logs what it receives.
// Printed beside the polling watchdog it replaces: a `git fetch` every 30 s notices a commit
// after a delay spread evenly over 0-30 s. Also the bot's own record, delivery received → ping
// submitted and checked, against the floor (typing + Enter check alone, bench/typing-floor.ts),
// one floor sample after each push so that both see the same load.
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { once } from "node:events";
import { cpus } from "node:os";
import { parseArgs, promisify } from "node:util";
import { GiteaEmulator } from "../src/emulator/index.ts";
import { Agents } from "../test/support/agents.ts";
import { tempDir } from "../test/support/bot.ts";
import { spawnBot } from "../test/support/child-bot.ts";
import { writeBotConfig } from "./bot-config.ts";
import { LoopRepo } from "../src/demo/loop-repo.ts";
import { typingFloor } from "./typing-floor.ts";

const run = promisify(execFile);
const { values } = parseArgs({ options: { pushes: { type: "string", default: "200" } } });
const pushes = Number(values.pushes);
const SECRET = "bench-handoff-secret";
const REPO = "ops/cc-ci";

const dir = tempDir("ccci-bench-handoff-");
const repo = new LoopRepo(dir);
const agents = new Agents(dir);
await agents.start("bench-adversary");
await agents.start("bench-floor");
const emu = await new GiteaEmulator().start();
emu.state.addUser("agent");
emu.state.addUser("ci-bot", "bench-token");
emu.state.addRepo(REPO);

const config = writeBotConfig(dir, emu.url, SECRET, {
  loops: [{ name: "cc-ci", repo: REPO, cloneUrl: repo.bare, sessions: { adversary: { session: "bench-adversary", start: ["true"] } } }],
  supervisor: { tmuxSocket: agents.socket },
});
const { child: bot, port } = await spawnBot(config);
emu.addHook(`http://127.0.0.1:${port}/webhook`, SECRET);

// The first start records the branch head as a baseline (history is not pinged); wait for it.
for (const deadline = Date.now() + 10_000; ; ) {
  const loops = (await (await fetch(`http://127.0.0.1:${port}/api/loops`)).json()) as { loops: Array<{ head: string | null }> };
  if (loops.loops[0]?.head) break;
  if (Date.now() > deadline) throw new Error("the loop was never baselined");
  await new Promise((r) => setTimeout(r, 10));
}

async function waitForReceived(n: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (agents.received("bench-adversary").length < n) {
    if (Date.now() > deadline) throw new Error(`ping ${n} never arrived`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const git = (...args: string[]) => run("git", args, { cwd: repo.work });
// Whatever happens below, the bot, the emulator and the tmux server go away with the bench.
const cleanup = async () => {
  bot.kill("SIGTERM");
  await emu.close();
  await agents.close();
  if (bot.exitCode === null) await once(bot, "exit");
  rmSync(dir, { recursive: true, force: true });
};

const latencies: number[] = [];
const floors: number[] = [];
let record: number[] = [];
let bigLatency = 0;
try {
  // The first push is a warm-up (module loading, the first tmux calls).
  for (let i = 0; i <= pushes; i++) {
    const before = repo.head();
    await git("commit", "--quiet", "--allow-empty", "-m", `claim(gate-${i}): bench`);
    const after = (await git("rev-parse", "HEAD")).stdout.trim();
    await git("push", "--quiet", "origin", "main");
    const sent = Date.now();
    const [d] = await emu.push(REPO, {
      ref: "refs/heads/main",
      before,
      after,
      pusher: "agent",
      commits: [{ sha: after, message: `claim(gate-${i}): bench`, added: [], removed: [], modified: [], timestamp: new Date().toISOString() }],
    });
    if (d?.status !== 202) throw new Error(`delivery answered ${d?.status} ${d?.response}`);
    await waitForReceived(i + 1);
    if (i > 0) latencies.push(agents.receivedAt("bench-adversary")[i]! - sent);
    const floor = await typingFloor(agents, "bench-floor", `[cc-ci-bot] cc-ci: 0000000 claim(gate-${i}): bench`);
    if (i > 0) floors.push(floor);
  }
  // The bot's own record of the same pushes: delivery received -> ping submitted and checked.
  type Ping = { receivedAt: number; deliveredAt: number | null };
  const { pings } = (await (await fetch(`http://127.0.0.1:${port}/api/pings?limit=${pushes}`)).json()) as { pings: Ping[] };
  record = pings.map((p) => p.deliveredAt! - p.receivedAt);

  // One push of 1,000 commits (claims first and last); the payload lists five, the mirror all.
  const bigBefore = repo.head();
  const stream: string[] = [];
  for (let i = 1; i <= 1000; i++) {
    const msg = i === 1 || i === 1000 ? `claim(big-${i}): bench` : `work ${i}`;
    stream.push("commit refs/heads/main", `committer Agent <agent@example.test> ${Math.floor(Date.now() / 1000)} +0000`, `data ${Buffer.byteLength(msg)}`, msg);
    if (i === 1) stream.push(`from ${bigBefore}`);
    stream.push("");
  }
  await new Promise<void>((resolve, reject) => {
    const fi = execFile("git", ["fast-import", "--quiet"], { cwd: repo.work }, (err) => (err ? reject(err) : resolve()));
    fi.stdin!.end(stream.join("\n") + "\n");
  });
  await git("reset", "--quiet", "--hard", "refs/heads/main");
  await git("push", "--quiet", "origin", "main");
  const bigAfter = repo.head();
  const bigSent = Date.now();
  await emu.push(REPO, { ref: "refs/heads/main", before: bigBefore, after: bigAfter, pusher: "agent", commits: [] });
  await waitForReceived(pushes + 2);
  bigLatency = agents.receivedAt("bench-adversary")[pushes + 1]! - bigSent;
  const bigPing = agents.received("bench-adversary")[pushes + 1]!;
  if (!/claim\(big-1\).*claim\(big-1000\)/.test(bigPing)) throw new Error(`unexpected ping for the big push: ${bigPing}`);
} finally {
  await cleanup();
}

const quantile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const q = (p: number) => quantile(latencies, p);
const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
const row = (name: string, xs: number[]) => `${name.padEnd(42)} p50 ${quantile(xs, 0.5).toFixed(0).padStart(5)} ms   p99 ${quantile(xs, 0.99).toFixed(0).padStart(5)} ms   max ${Math.max(...xs).toFixed(0).padStart(5)} ms`;
console.log(`handoff benchmark: ${pushes} pushes, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}`);
console.log(row("delivery received -> ping submitted (bot)", record));
console.log(row("floor: typing + Enter check alone", floors));
console.log(`bot/floor: p50 ${(quantile(record, 0.5) / quantile(floors, 0.5)).toFixed(2)}x (goal < 2x), p99 ${quantile(record, 0.99).toFixed(0)} ms (goal < 100 ms)`);
console.log(row("delivery sent -> ping in the pane", latencies));
console.log(`polling, 30 s loop  p50  15000 ms   p99  29700 ms   mean  15000 ms   max 30000 ms`);
console.log(`ratio of means polling/bot ${(15000 / mean).toFixed(0)}x (bot p50 ${q(0.5).toFixed(0)} ms)`);
console.log(`one push of 1,000 commits: delivery to ping ${bigLatency} ms (target < 1000 ms)`);
