// npm run bench:real-gitea [-- --samples 20]
//
// The two latencies users feel, on a real Gitea beside the in-repo emulator, each with the
// bot as its own process (`cc-ci-bot serve`):
//   - `!testme`: from posting the comment to its pending status being readable through the API;
//   - handoff: from `git push` of a claim to the ping submitted in the adversary's tmux pane,
//     and the bot's own record of the same pings (`/api/pings`): from the push delivery's
//     receipt to the ping submitted, the span the handoff target (docs/design.md#performance-targets) is about.
// The real Gitea is the live suite's: a binary started on a free loopback port (GITEA_E2E_BIN)
// or a running server (GITEA_E2E_URL + GITEA_E2E_ADMIN); with neither it says so in one line.
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { GiteaEmulator } from "../src/emulator/index.ts";
import { LoopRepo } from "../src/demo/loop-repo.ts";
import { Agents } from "../test/support/agents.ts";
import { spawnBot } from "../test/support/child-bot.ts";
import { removeTempDirs, tempDir } from "../test/support/temp.ts";
import { waitFor } from "../test/support/wait.ts";
import { giteaGiven, HOW_TO_GIVE_A_GITEA, realGitea } from "../test/e2e/support/gitea-server.ts";
import { openPull, testmeSettings } from "../test/e2e/support/recipes.ts";
import { World } from "../test/e2e/support/world.ts";
import { writeBotConfig } from "./bot-config.ts";
import { typingFloor } from "./typing-floor.ts";

const { values } = parseArgs({ options: { samples: { type: "string", default: "20" } } });
if (giteaGiven() === null) {
  console.error(`bench:real-gitea needs a real Gitea: ${HOW_TO_GIVE_A_GITEA}`);
  process.exit(2);
}
const samples = Number(values.samples);
if (!Number.isInteger(samples) || samples < 20) {
  console.error("--samples must be a whole number of at least 20");
  process.exit(2);
}

type Series = { name: string; ms: number[] };
const results: Series[] = [];
/** The floor (typing + Enter check alone, bench/typing-floor.ts): one sample after each push, under the same load. */
const floors: Series[] = [];
const quantile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

/** The bot's own record of its last `n` pings: delivery received -> ping submitted. */
async function botRecord(name: string, botUrl: string, n: number): Promise<void> {
  type Ping = { receivedAt: number; deliveredAt: number | null };
  // The pane shows the last ping a moment before the bot has checked and recorded it.
  const pings = await waitFor(async () => {
    const { pings } = (await (await fetch(`${botUrl}/api/pings?limit=${n}`)).json()) as { pings: Ping[] };
    return pings.length === n && pings.every((p) => p.deliveredAt !== null) ? pings : null;
  }, `${n} delivered pings in the bot's record`);
  results.push({ name, ms: pings.map((p) => p.deliveredAt! - p.receivedAt) });
}

/** Runs `once` samples + 1 times (the first warms up) and keeps the latencies. */
async function measure(name: string, once: () => Promise<number>): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i <= samples; i++) {
    const t = await once();
    if (i > 0) ms.push(t);
  }
  results.push({ name, ms });
}

async function onRealGitea(): Promise<string> {
  const { gitea, stop } = await realGitea();
  const w = new World(gitea);
  try {
    await w.create({ recipes: ["recipe-bench"], loops: ["loop"] });
    const adv = `a-${w.tag}`;
    await w.agents.start(adv);
    const floor: Series = { name: `Gitea ${gitea.version}: floor, typing + Enter check alone`, ms: [] };
    await w.agents.start(`f-${w.tag}`);
    w.writeConfig({
      ...testmeSettings(w),
      loops: [{ name: "bench", repo: w.repo("loop"), sessions: { adversary: { session: adv, start: w.agents.argv(adv) } } }],
    });
    await w.startBot();
    const loop = w.clone("loop");
    await waitFor(() => w.bot!.logs.some((l) => l.includes("loop baseline recorded")), "the loop baseline", 30_000);

    const pr = await openPull(w, "recipe-bench", "pass-bench");
    let seen = 0;
    await measure(`Gitea ${gitea.version}: !testme comment -> pending status readable`, async () => {
      const t0 = performance.now();
      await w.as("maintainer").comment(w.repo("recipe-bench"), pr.number, "!testme");
      const pending = await waitFor(async () => (await w.admin.statuses(w.repo("recipe-bench"), pr.sha)).find((s) => s.id > seen && s.state === "pending"), "a new pending status", 30_000);
      const t = performance.now() - t0;
      // The next comment must be a deliberate re-run: wait for this run's verdict.
      seen = (await waitFor(async () => (await w.admin.statuses(w.repo("recipe-bench"), pr.sha)).find((s) => s.id > pending.id && s.state !== "pending"), "the verdict", 30_000)).id;
      return t;
    });
    let n = 0;
    await measure(`Gitea ${gitea.version}: git push of a claim -> ping in the pane`, async () => {
      const before = w.agents.received(adv).length;
      loop.commit(`claim(gate-${++n}): bench`);
      const t0 = Date.now();
      loop.push();
      await waitFor(() => w.agents.received(adv).length > before, "the ping", 30_000);
      const t = w.agents.receivedAt(adv).at(-1)! - t0;
      if (n > 1) floor.ms.push(await typingFloor(w.agents, `f-${w.tag}`, `[cc-ci-bot] bench: 0000000 claim(gate-${n}): bench`));
      return t;
    });
    floors.push(floor);
    await botRecord(`Gitea ${gitea.version}: push delivery received -> ping submitted, checked (bot)`, w.bot!.url, samples);
    return gitea.version;
  } finally {
    await w.close();
    await stop();
  }
}

async function onEmulator(): Promise<void> {
  const dir = tempDir("ccci-bench-real-");
  const emu = await new GiteaEmulator({ flavour: "gitea-1.15" }).start();
  const agents = new Agents(dir);
  try {
    emu.state.addUser("ci-bot", "bench-token");
    emu.state.addOrg("recipes", ["alice", "ci-bot"]);
    emu.state.addRepo("recipes/bench");
    emu.state.addRepo("ops/loop");
    const repo = new LoopRepo(`${dir}/loop`);
    await agents.start("adv");
    await agents.start("floor");
    const floor: Series = { name: "emulator: floor, typing + Enter check alone", ms: [] };
    const secret = "bench-real-gitea-secret";
    const config = writeBotConfig(dir, emu.url, secret, {
      testme: { repos: ["recipes/*"], trust: { orgs: ["recipes"] }, runner: { command: ["true"], capacity: 2 } },
      loops: [{ name: "bench", repo: "ops/loop", cloneUrl: repo.bare, sessions: { adversary: { session: "adv", start: agents.argv("adv") } } }],
      supervisor: { tmuxSocket: agents.socket },
    });
    const bot = await spawnBot(config);
    emu.addHook(`${bot.url}/webhook`, secret);
    await waitFor(() => bot.logs.some((l) => l.includes("loop baseline recorded")), "the loop baseline", 30_000);
    const { pull } = await emu.openPull("recipes/bench", { author: "alice", headRef: "pass-bench", headSha: "b".repeat(40) });
    let seen = 0;
    await measure("emulator: !testme comment -> pending status readable", async () => {
      const t0 = performance.now();
      await emu.comment("recipes/bench", pull.number, "alice", "!testme");
      const pending = await waitFor(() => emu.state.statusesOf("recipes/bench", pull.headSha).find((s) => s.id > seen && s.state === "pending"), "a new pending status", 30_000);
      const t = performance.now() - t0;
      seen = (await waitFor(() => emu.state.statusesOf("recipes/bench", pull.headSha).find((s) => s.id > pending.id && s.state !== "pending"), "the verdict", 30_000)).id;
      return t;
    });
    let n = 0;
    await measure("emulator: git push of a claim -> ping in the pane", async () => {
      const before = agents.received("adv").length;
      const head = repo.head();
      const t0 = Date.now();
      const commits = repo.commit({ subject: `claim(gate-${++n}): bench` });
      repo.push();
      await emu.push("ops/loop", { ref: "refs/heads/main", before: head, after: repo.head(), commits, pusher: "alice" });
      await waitFor(() => agents.received("adv").length > before, "the ping", 30_000);
      const t = agents.receivedAt("adv").at(-1)! - t0;
      if (n > 1) floor.ms.push(await typingFloor(agents, "floor", `[cc-ci-bot] bench: 0000000 claim(gate-${n}): bench`));
      return t;
    });
    floors.push(floor);
    await botRecord("emulator: push delivery received -> ping submitted, checked (bot)", bot.url, samples);
    bot.child.kill("SIGTERM");
    await bot.exited;
  } finally {
    await agents.close();
    await emu.close();
    removeTempDirs();
  }
}

let version: string;
try {
  version = await onRealGitea();
  await onEmulator();
} finally {
  // Also after a failure: the real Gitea's and the bot's temp dirs go with the bench.
  removeTempDirs();
}
console.log(`real Gitea vs emulator: ${samples} samples each after one warm-up, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}, Gitea ${version}`);
for (const s of results) {
  console.log(`${s.name.padEnd(72)} p50 ${quantile(s.ms, 0.5).toFixed(0).padStart(5)} ms   p99 ${quantile(s.ms, 0.99).toFixed(0).padStart(5)} ms   max ${Math.max(...s.ms).toFixed(0).padStart(5)} ms`);
}
// Series 0-2 are the real Gitea's, 3-5 the emulator's, in the same order.
const ratio = (i: number) => (quantile(results[i]!.ms, 0.5) / quantile(results[i + 3]!.ms, 0.5)).toFixed(1);
console.log(`real/emulator p50 ratio: !testme ${ratio(0)}x, handoff ${ratio(1)}x, handoff in the bot ${ratio(2)}x`);
// The bot's receipt -> submitted against the floor measured beside it (series 2 and 5).
for (const [i, f] of [results[2]!, results[5]!].entries()) {
  const floor = floors[i]!;
  console.log(`${floor.name.padEnd(72)} p50 ${quantile(floor.ms, 0.5).toFixed(0).padStart(5)} ms   p99 ${quantile(floor.ms, 0.99).toFixed(0).padStart(5)} ms`);
  console.log(`${`${f.name.split(":")[0]}: bot/floor`.padEnd(72)} p50 ${(quantile(f.ms, 0.5) / quantile(floor.ms, 0.5)).toFixed(2)}x (goal < 2x)`);
}
