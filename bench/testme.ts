// npm run bench:testme [-- --comments 200]
//
// From a `!testme` comment delivery leaving the (emulated) Gitea to the pending commit status
// arriving back at it, against the bot running as its own process (`cc-ci-bot serve`). Each
// comment is on its own PR (a run per head), one after another. Printed beside the polling
// bridge it replaces, which looked for comments every 30-60 s.
import { cpus } from "node:os";
import { rmSync } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { GiteaEmulator } from "../src/emulator/index.ts";
import { tempDir } from "../test/support/bot.ts";
import { spawnBot } from "../test/support/child-bot.ts";
import { writeBotConfig } from "./bot-config.ts";

const { values } = parseArgs({ options: { comments: { type: "string", default: "200" } } });
const comments = Number(values.comments);
const SECRET = "bench-testme-secret";
const REPO = "recipes/bench";

const dir = tempDir("ccci-bench-testme-");
const emu = await new GiteaEmulator().start();
emu.state.addUser("ci-bot", "bench-token");
emu.state.addOrg("recipes", ["alice", "ci-bot"]);
emu.state.addRepo(REPO);

const config = writeBotConfig(dir, emu.url, SECRET, {
  testme: { repos: ["recipes/*"], trust: { orgs: ["recipes"] }, runner: { command: ["true"], capacity: 4 } },
});
const { child: bot, port } = await spawnBot(config);
emu.addHook(`http://127.0.0.1:${port}/webhook`, SECRET);

async function pendingAt(sha: string, after: number): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const call = emu.state.calls.find((c) => c.method === "POST" && c.path.endsWith(`/statuses/${sha}`) && c.at >= after);
    if (call) return call.at;
    if (Date.now() > deadline) throw new Error(`no pending status for ${sha}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

const latencies: number[] = [];
for (let i = 0; i <= comments; i++) {
  const sha = (i + 1).toString(16).padStart(40, "f");
  const { pull } = await emu.openPull(REPO, { author: "alice", headRef: `bench-${i}`, headSha: sha });
  const sent = Date.now();
  const { deliveries } = await emu.comment(REPO, pull.number, "alice", "!testme");
  if (deliveries[0]?.status !== 202) throw new Error(`delivery answered ${deliveries[0]?.status}`);
  const at = await pendingAt(sha, sent);
  if (i > 0) latencies.push(at - sent); // the first is a warm-up
}
bot.kill("SIGTERM");
await emu.close();
if (bot.exitCode === null) await once(bot, "exit");
rmSync(dir, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
console.log(`testme benchmark: ${comments} comments, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}`);
console.log(`bot (webhook)           p50 ${q(0.5).toFixed(0).padStart(6)} ms   p99 ${q(0.99).toFixed(0).padStart(6)} ms   mean ${mean.toFixed(0).padStart(6)} ms   (target p99 < 500)`);
console.log(`polling bridge, 30-60 s  mean 15000-30000 ms (half the polling interval), worst 30000-60000 ms`);
console.log(`ratio of means polling/bot ${(15000 / mean).toFixed(0)}x to ${(30000 / mean).toFixed(0)}x`);
