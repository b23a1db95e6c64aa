// npm run bench:chaos:effects [-- --prs 60 --kills 3 --outage-seconds 60 --outage-comments 20]
//
// Exactly-once effects under crashes and outages, checked at the forge (docs/design.md#exactly-once). The bot
// runs as its own process (`cc-ci-bot serve`) against the in-repo Gitea emulator.
//  1. Crashes: a `!testme` on each of N PRs, in K bursts, the bot SIGKILLed after each while
//     the burst's deliveries are being handled and runs go.
//     Per PR head afterwards: one run executed once (the runner counts its executions in a
//     file), one final status and no pending after it, no status twice, one eyes reaction, one
//     result comment and no other reply.
//  2. Outage: the emulator answers 500 to every API call for 60 s while 20 `!testme` arrive
//     (Gitea 1.15 payloads and allowlist trust: the bot must fetch each PR for its head SHA).
//     Every trigger must end with its run and its result once Gitea is back: none lost.
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { auditTestme, type TestmeAudit } from "../src/emulator/audit.ts";
import { GiteaEmulator, type Flavour } from "../src/emulator/index.ts";
import type { Fault } from "../src/emulator/state.ts";
import { tempDir } from "../test/support/bot.ts";
import { spawnBot, type ChildBot } from "../test/support/child-bot.ts";
import { writeBotConfig } from "./bot-config.ts";

const { values } = parseArgs({
  options: { prs: { type: "string", default: "60" }, kills: { type: "string", default: "3" }, "outage-seconds": { type: "string", default: "60" }, "outage-comments": { type: "string", default: "20" } },
});
const count = (name: keyof typeof values) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${JSON.stringify(values[name])}`);
  return n;
};
const PRS = count("prs");
const KILLS = count("kills");
const OUTAGE_MS = count("outage-seconds") * 1000;
const OUTAGE_COMMENTS = count("outage-comments");
const SECRET = "bench-chaos-secret";
const RUNNER = new URL("../test/support/runner.mjs", import.meta.url).pathname;
const REPOS = Array.from({ length: 8 }, (_, i) => `recipes/app-${i}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seed = 14;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

interface Trigger {
  repo: string;
  number: number;
  sha: string;
  commentId: number;
}

/** A bot process beside an emulator, restartable on the same data directory. */
async function world(flavour: Flavour, trust: Record<string, unknown>) {
  const dir = tempDir("ccci-bench-chaos-");
  const emu = await new GiteaEmulator({ flavour }).start();
  emu.state.addUser("ci-bot", "bench-token");
  emu.state.addOrg("recipes", ["alice", "ci-bot"]);
  for (const r of REPOS) emu.state.addRepo(r);
  const config = writeBotConfig(dir, emu.url, SECRET, {
    dispatcher: { backoffMs: 500 },
    outbox: { backoffMs: 200, maxBackoffMs: 5000 },
    testme: { repos: ["recipes/*"], trust, runner: { command: [process.execPath, RUNNER, "by-ref"], capacity: 4, graceSeconds: 1 } },
  });
  let bot: ChildBot | null = null;
  const start = async () => {
    bot = await spawnBot(config);
    emu.hooks.splice(0);
    emu.addHook(`${bot.url}/webhook`, SECRET);
    return bot;
  };
  const kill = async () => {
    if (!bot) return;
    bot.child.kill("SIGKILL");
    await bot.exited;
    bot = null;
  };
  const close = async () => {
    if (bot) {
      bot.child.kill("SIGTERM");
      await bot.exited;
    }
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, emu, start, kill, close, bot: () => bot };
}
type World = Awaited<ReturnType<typeof world>>;

async function openPr(w: World, i: number, ref: string): Promise<Trigger> {
  const repo = REPOS[i % REPOS.length]!;
  const sha = (0x100000 + i).toString(16).padStart(40, ref === "slow" ? "5" : "9");
  const { pull } = await w.emu.openPull(repo, { author: "alice", headRef: `${ref}-${i}`, headSha: sha });
  return { repo, number: pull.number, sha, commentId: 0 };
}

async function testme(w: World, t: Trigger): Promise<void> {
  const { comment, deliveries } = await w.emu.comment(t.repo, t.number, "alice", "!testme");
  // 200: a duplicate — the catch-up sweep of a bot just started found the comment first.
  if (deliveries[0]?.status !== 202 && deliveries[0]?.status !== 200) throw new Error(`the delivery of a !testme was answered ${deliveries[0]?.status ?? "not at all"}`);
  t.commentId = comment.id;
}

/** How often each run directory of a head was executed. */
function executions(w: World, sha: string): number[] {
  const runs = join(w.dir, "data", "runs");
  if (!existsSync(runs)) return [];
  return readdirSync(runs)
    .filter((id) => existsSync(join(runs, id, "spec.json")) && readFileSync(join(runs, id, "spec.json"), "utf8").includes(sha))
    .map((id) => (existsSync(join(runs, id, "executions")) ? readFileSync(join(runs, id, "executions"), "utf8").trim().split("\n").length : 0));
}

interface Tally {
  duplicated: number;
  lost: number;
  executed: number;
  eyesRequests: number;
  worst: string[];
}

/** Waits (bounded) until every trigger has its result, then counts what is not exactly once. */
async function tally(w: World, triggers: Trigger[], deadlineMs: number): Promise<Tally> {
  const audit = (t: Trigger): TestmeAudit => auditTestme(w.emu.state, { ...t, bot: "ci-bot" });
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline && triggers.some((t) => audit(t).resultComments === 0)) await sleep(100);
  await sleep(1500); // anything still queued at the bot would go out now: count it too
  const t: Tally = { duplicated: 0, lost: 0, executed: 0, eyesRequests: 0, worst: [] };
  for (const x of triggers) {
    const a = audit(x);
    const runs = executions(w, x.sha);
    const extra =
      Math.max(0, a.finals - 1) + a.pendingAfterFinal + a.repeatedStatuses + Math.max(0, a.eyes - 1) + Math.max(0, a.resultComments - 1) + a.replies +
      Math.max(0, runs.length - 1) + runs.reduce((n, e) => n + Math.max(0, e - 1), 0);
    const lost = a.finals === 0 || a.resultComments === 0 || runs.length === 0 ? 1 : 0;
    t.duplicated += extra;
    t.lost += lost;
    t.executed += runs.reduce((n, e) => n + e, 0);
    t.eyesRequests += a.eyesRequests;
    if (extra + lost > 0 && t.worst.length < 5) t.worst.push(`${x.repo}#${x.number}: ${JSON.stringify({ ...a, runs })}`);
  }
  return t;
}

async function crashes(): Promise<Tally & { kills: number }> {
  const w = await world("gitea-modern", { orgs: ["recipes"] });
  try {
    await w.start();
    const triggers: Trigger[] = [];
    for (let i = 0; i < PRS; i++) triggers.push(await openPr(w, i, "slow"));
    // In bursts, one per kill: the burst is acked (stored) at once and handled over the next
    // moments, so each kill lands while deliveries are being handled and runs go. A delivery
    // is only sent while a bot listens (Gitea does not retry one that found nobody).
    let kills = 0;
    const burst = Math.ceil(PRS / Math.max(1, KILLS));
    for (let from = 0; from < PRS; from += burst) {
      await Promise.all(triggers.slice(from, from + burst).map((t) => testme(w, t)));
      if (kills >= KILLS) continue;
      await sleep(50 + random() * 600);
      await w.kill();
      kills++;
      await w.start();
    }
    return { ...(await tally(w, triggers, 180_000)), kills };
  } finally {
    await w.close();
  }
}

async function outage(): Promise<Tally & { dead: number; waitingPeak: number; recoveryMs: number }> {
  const w = await world("gitea-1.15", { users: ["alice"] });
  try {
    await w.start();
    const fault: Fault = { path: /./, status: 500, times: Number.MAX_SAFE_INTEGER };
    const triggers: Trigger[] = [];
    for (let i = 0; i < OUTAGE_COMMENTS; i++) triggers.push(await openPr(w, 1000 + i, "pass"));
    // The PRs exist; now Gitea fails while their comments come in.
    w.emu.state.faults.push(fault);
    const began = Date.now();
    let waitingPeak = 0;
    const deliveries = async () => ((await (await fetch(`${w.bot()!.url}/api/deliveries?limit=200`)).json()) as { deliveries: Array<{ waitingFor: string | null; state: string }> }).deliveries;
    const comments = triggers.map(async (t, i) => {
      await sleep((i * OUTAGE_MS * 0.8) / Math.max(1, OUTAGE_COMMENTS));
      await testme(w, t);
    });
    while (Date.now() - began < OUTAGE_MS) {
      waitingPeak = Math.max(waitingPeak, (await deliveries()).filter((d) => d.waitingFor === "Gitea").length);
      await sleep(1000);
    }
    await Promise.all(comments);
    fault.times = 0;
    const back = Date.now();
    const result = await tally(w, triggers, 180_000);
    const recoveryMs = Date.now() - back - 1500;
    const dead = (await deliveries()).filter((d) => d.state === "dead").length;
    return { ...result, dead, waitingPeak, recoveryMs };
  } finally {
    await w.close();
  }
}

console.log(`chaos-effects: ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}`);
const c = await crashes();
console.log(`crashes: ${PRS} !testme on ${PRS} PRs, bot SIGKILLed ${c.kills} times while runs went`);
console.log(`  duplicated effects ${c.duplicated}   lost triggers ${c.lost}   runner executions ${c.executed} for ${PRS} triggers   eyes requests sent ${c.eyesRequests} (Gitea keeps one per comment)`);
for (const line of c.worst) console.log(`  ${line}`);
const o = await outage();
console.log(`outage: Gitea answering 500 for ${OUTAGE_MS / 1000} s while ${OUTAGE_COMMENTS} !testme arrived (1.15 payloads, allowlist trust)`);
console.log(`  lost triggers ${o.lost}   dead letters ${o.dead}   duplicated effects ${o.duplicated}   waiting for Gitea at the peak ${o.waitingPeak}   all results ${(o.recoveryMs / 1000).toFixed(1)} s after Gitea came back`);
for (const line of o.worst) console.log(`  ${line}`);
const bad = c.duplicated + c.lost + o.duplicated + o.lost + o.dead;
console.log(bad === 0 ? "exactly once: 0 duplicated effects, 0 lost triggers" : `NOT exactly once: ${bad} effects duplicated or lost`);
process.exitCode = bad === 0 ? 0 : 1;
