// npm run demo: the bot on embedded defaults, wired to the in-repo Gitea emulator, playing a
// short scenario. Nothing outside this machine is contacted; everything lives in a temp dir.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { parseConfig } from "../config/load.ts";
import { GiteaEmulator, type Flavour } from "../emulator/index.ts";
import { startBot, type Bot } from "../main.ts";
import { redisServerPath, startDemoWorkers, type DemoWorkers } from "./redis-workers.ts";
import { sendDelivery } from "../emulator/sender.ts";
import { existsSync, readFileSync } from "node:fs";
import { Tmux } from "../supervisor/tmux.ts";
import { LoopRepo } from "./loop-repo.ts";
import { opencodeInstalled } from "../../test/support/opencode.ts";
import { startOpencodeBuilder } from "./opencode-builder.ts";
import { onStopSignal, signalExitCode } from "../util/stop-signal.ts";

const HELP = `Usage: npm run demo -- [options]

Starts cc-ci-bot with embedded defaults (SQLite in a temp dir) next to an emulated Gitea,
a sample runner, a loop repo (bare + clone) and two fake agents (builder, adversary) in a
private tmux server. Plays a scenario: a claim(...) push pings the adversary, a review(...)
push pings the builder, !testme runs GREEN (with its redelivery ignored), another on a
broken PR runs RED, /status answers, a forged delivery is refused. Prints each step and
the dashboard URL, and stays up until Ctrl-C, which removes the tmux sessions and the temp
dir. Attach to an agent with: tmux -L <socket> attach -t demo-builder

Options:
  --port N        port of the bot (default 8787; 0 picks a free one)
  --flavour F     what the emulator sends: gitea-1.15, gitea-modern (default) or forgejo
  --agents A      fake (default): both agents are fake TUIs in tmux; opencode: the builder is a
                  session on a real opencode server (opencode-ai from npm, run offline against
                  a fake model on loopback), launched as the loops do with
                  opencode run --attach URL --title demo-builder
  --workers N     run the scenario's runs on N cc-ci-bot workers over a private redis-server
                  (needs redis-server: apt-get install redis-server), instead of child processes
  --exit          play the scenario and stop instead of staying up
  --help          this text
`;

const SECRET = "demo-webhook-secret";
const LOOP = "ops/cc-ci";
const TOKEN = "demo-bot-token";
const REPO = "recipes/nextcloud";

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  let opts;
  try {
    opts = parseArgs({
      options: { port: { type: "string", default: "8787" }, flavour: { type: "string", default: "gitea-modern" }, agents: { type: "string", default: "fake" }, workers: { type: "string", default: "0" }, exit: { type: "boolean" }, help: { type: "boolean" } },
    }).values;
  } catch (err) {
    process.stderr.write(`demo: ${(err as Error).message}; see --help\n`);
    return 2;
  }
  if (opts.help) {
    say(HELP);
    return 0;
  }
  const flavour = opts.flavour as Flavour;
  if (!["gitea-1.15", "gitea-modern", "forgejo"].includes(flavour)) {
    process.stderr.write(`demo: --flavour must be gitea-1.15, gitea-modern or forgejo\n`);
    return 2;
  }

  if (opts.agents !== "fake" && opts.agents !== "opencode") {
    process.stderr.write(`demo: --agents must be fake or opencode\n`);
    return 2;
  }
  if (opts.agents === "opencode" && !opencodeInstalled()) {
    process.stderr.write(`demo: --agents opencode needs opencode: npm ci installs it (the opencode-ai dev dependency)\n`);
    return 2;
  }

  const workerCount = Number(opts.workers);
  if (!Number.isInteger(workerCount) || workerCount < 0 || workerCount > 8) {
    process.stderr.write(`demo: --workers takes a number from 0 to 8\n`);
    return 2;
  }
  if (workerCount > 0 && redisServerPath() === null) {
    process.stderr.write(`demo: --workers needs redis-server (apt-get install redis-server); without --workers the runs are local child processes\n`);
    return 2;
  }

  const dir = mkdtempSync(join(tmpdir(), "cc-ci-bot-demo-"));
  const emu = await new GiteaEmulator({ flavour }).start();
  emu.state.addUser("ci-bot", TOKEN);
  emu.state.addOrg("recipes", ["alice", "ci-bot"]);
  emu.state.addUser("carol");
  emu.state.addUser("agent");
  emu.state.addRepo(REPO, { alice: "write" });
  emu.state.addRepo(LOOP);

  // The agent loop: a plan repo and two fake agents in a tmux server of the demo's own.
  const socket = `cc-ci-bot-demo-${process.pid}`;
  const tmux = new Tmux({ socketName: socket });
  const withLoop = await tmux.available();
  const loopRepo = withLoop ? new LoopRepo(join(dir, "loop")) : null;
  const agent = (role: string) => ({ session: `demo-${role}`, start: [process.execPath, new URL("./fake-agent.mjs", import.meta.url).pathname, join(dir, `${role}.log`)] });

  let opencodeBuilder: Awaited<ReturnType<typeof startOpencodeBuilder>> | null = null;
  let bot: Bot | null = null;
  let workers: DemoWorkers | null = null;
  let cleaned: Promise<void> | null = null;
  const cleanup = () =>
    (cleaned ??= (async () => {
      await bot?.stop();
      await workers?.stop();
      await opencodeBuilder?.stop();
      await emu.close();
      if (withLoop) await tmux.killServer();
      rmSync(dir, { recursive: true, force: true });
    })());
  // Ctrl-C (or a kill) at any moment removes the tmux server and the temp dir; once the scenario
  // has played, it is how the demo is stopped.
  let waiting = false;
  const signalled = new Promise<NodeJS.Signals>((resolve) => onStopSignal(resolve));
  void signalled.then(async (signal) => {
    if (waiting) return;
    await cleanup().catch(() => undefined);
    process.exit(signalExitCode(signal));
  });
  try {
    const oc = withLoop && opts.agents === "opencode" ? await startOpencodeBuilder(dir) : null;
    opencodeBuilder = oc;
    const builder = oc ? { backend: "opencode-server", title: "demo-builder", server: { url: oc.server.url } } : agent("builder");
    const sample = [process.execPath, new URL("./sample-runner.mjs", import.meta.url).pathname];
    if (workerCount > 0) workers = await startDemoWorkers(dir, workerCount, sample);
    const config = parseConfig({
      gitea: { url: emu.url, token: TOKEN },
      webhook: { secrets: [SECRET] },
      server: { port: Number(opts.port), host: "127.0.0.1" },
      dataDir: join(dir, "data"),
      ...(loopRepo ? { loops: [{ name: "cc-ci", repo: LOOP, cloneUrl: loopRepo.bare, sessions: { builder, adversary: agent("adversary") } }] } : {}),
      supervisor: { tmuxSocket: socket },
      testme: {
        repos: ["recipes/*"],
        trust: { orgs: ["recipes"] },
        runner: workers ? { backend: "bullmq", redis: workers.redisUrl } : { command: sample, capacity: 2 },
      },
    });
    bot = await startBot({ config, logDestination: pino.destination({ dest: join(dir, "bot.log"), sync: true }) });
    emu.addHook(`${bot.url}/webhook`, SECRET);
    say(`cc-ci-bot demo: bot on ${bot.url}, emulated Gitea (${flavour}) on ${emu.url}, data in ${dir}`);
    if (workers) say(`  runs on ${workerCount} cc-ci-bot workers over redis-server (${workers.redisUrl}); see ${bot.url}/api/runners`);
    if (loopRepo) {
      for (const role of oc ? ["adversary"] : ["builder", "adversary"]) await tmux.newSession(agent(role).session, { argv: agent(role).start });
      if (oc) say(`  ${"the builder starts on opencode".padEnd(46)} -> ${await oc.launch("Phase 1 of loop cc-ci: follow the plan.")}`);
      await bot.catchUp.loops.sweep();
      await playLoop(emu, loopRepo, dir, oc ? () => oc.lastPrompt() : undefined);
      say(oc ? `  (agents: the builder on the opencode server ${oc.server.url}; tmux -L ${socket} attach -t demo-adversary)` : `  (agents: tmux -L ${socket} attach -t demo-builder)`);
    } else {
      say("  tmux is not installed: the handoff part of the demo is skipped");
    }
    await play(emu, bot);
    say("");
    say(`ready: ${bot.url}`);
    say(`  dashboard   ${bot.url}/`);
    say(`  deliveries  ${bot.url}/api/deliveries`);
    say(`  outbox      ${bot.url}/api/outbox`);
    say(`  metrics     ${bot.url}/metrics`);
    say(`  health      ${bot.url}/healthz   ${bot.url}/readyz`);
    say(`  bot log     ${join(dir, "bot.log")}`);
  } catch (err) {
    await cleanup();
    throw err;
  }
  if (opts.exit) {
    await cleanup();
    return 0;
  }
  say("Press Ctrl-C to stop (removes the temp dir).");
  waiting = true;
  await signalled;
  await cleanup();
  say("demo stopped, temp dir removed");
  return 0;
}

/** The agent loop: a claim pings the adversary, a review pings the builder. */
async function playLoop(emu: GiteaEmulator, repo: LoopRepo, dir: string, builderGot?: () => Promise<string>): Promise<void> {
  const push = async (subject: string) => {
    const before = repo.head();
    const commits = repo.commit({ subject });
    repo.push();
    await emu.push(LOOP, { ref: "refs/heads/main", before, after: repo.head(), commits, pusher: "agent" });
  };
  const received = async (role: string) => {
    if (role === "builder" && builderGot) return builderGot();
    const file = join(dir, `${role}.log`);
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      // The agent creates its log and then writes the line: wait for a complete line.
      const text = existsSync(file) ? readFileSync(file, "utf8") : "";
      const end = text.lastIndexOf("\n");
      const last = end < 0 ? undefined : text.slice(0, end).split("\n").at(-1);
      if (last) return (JSON.parse(last) as { text: string }).text;
      await new Promise((r) => setTimeout(r, 25));
    }
    return "(nothing arrived)";
  };
  await push("claim(gate-1): take gate 1");
  say(`  ${"the builder pushes claim(gate-1)".padEnd(46)} -> adversary's session got: ${await received("adversary")}`);
  await push("review(gate-1): PASS looks good");
  say(`  ${"the adversary pushes review(gate-1)".padEnd(46)} -> builder's session got: ${await received("builder")}`);
}

/** The scenario: each step prints what Gitea sent and what the bot answered. */
async function play(emu: GiteaEmulator, bot: Bot): Promise<void> {
  const show = (what: string, d: { status: number; response: string } | undefined) =>
    say(`  ${what.padEnd(46)} -> ${d ? `${d.status} ${d.response.trim()}` : "not delivered"}`);

  const head = "a".repeat(40);
  const opened = await emu.openPull(REPO, { author: "alice", headRef: "bump-27.1", headSha: head, title: "Bump nextcloud to 27.1" });
  show(`PR #${opened.pull.number} opened by alice`, opened.deliveries[0]);

  const testme = await emu.comment(REPO, opened.pull.number, "alice", "!testme");
  show("alice comments !testme", testme.deliveries[0]);

  // Gitea's "Redeliver" button: the same payload under a new delivery id.
  const again = await emu.redeliverLast();
  show("the operator redelivers that comment", again[0]);

  const green = await waitForVerdict(bot, opened.pull.number);
  say(`  ${"the run finishes".padEnd(46)} -> ${green.verdict} (${green.reason}) ${bot.runUrl(green.id)}`);
  await bot.outbox.idle();
  const statuses = emu.state.statusesOf(REPO, head).map((st) => `${st.state}: ${st.description}`).reverse();
  say(`  ${"commit statuses on PR #1's head".padEnd(46)} -> ${statuses.join(" -> ")}`);
  const result = emu.state.commentsOn(REPO, opened.pull.number).find((c) => c.author.login === "ci-bot");
  say(`  ${"the bot's result comment on PR #1".padEnd(46)} -> ${result ? result.body.split("\n")[1] : "(none yet)"}`);

  const broken = await emu.openPull(REPO, { author: "alice", headRef: "broken-healthcheck", headSha: "c".repeat(40), title: "Break the healthcheck" });
  await emu.comment(REPO, broken.pull.number, "alice", "!testme");
  const red = await waitForVerdict(bot, broken.pull.number);
  say(`  ${`!testme on PR #${broken.pull.number} (a broken change)`.padEnd(46)} -> ${red.verdict} (${red.reason}) ${bot.runUrl(red.id)}`);

  await emu.comment(REPO, opened.pull.number, "carol", "/status");
  const statusReply = await waitForComment(emu, opened.pull.number, "@carol ");
  say(`  ${"carol comments /status".padEnd(46)} -> ${statusReply.split("\n")[0]}`);

  const forged = await sendDelivery(`${bot.url}/webhook`, "not-the-secret", emu.flavour, "issue_comment", "pull_request_comment", { forged: true });
  show("someone posts a delivery with a wrong secret", forged);
  await bot.outbox.idle();
  await Promise.all(emu.background.splice(0));
  await bot.dispatcher.idle();

  const hosts = await bot.runner.hosts();
  if (hosts.length > 0) say(`  ${"the runner hosts (/api/runners)".padEnd(46)} -> ${hosts.map((h) => `${h.host} (pools ${h.pools.join(", ")}, ${h.concurrency} slot${h.concurrency === 1 ? "" : "s"})`).join("; ")}`);

  const stored = await bot.store.deliveries.list({ limit: 20 });
  say("");
  say("what the bot stored:");
  for (const d of stored.reverse()) say(`  ${d.event.padEnd(14)} ${(d.action ?? "").padEnd(10)} ${d.state.padEnd(8)} ${d.reason ?? ""}`);
}

async function waitForComment(emu: GiteaEmulator, pr: number, prefix: string): Promise<string> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    const c = emu.state.commentsOn(REPO, pr).find((x) => x.author.login === "ci-bot" && x.body.startsWith(prefix));
    if (c) return c.body;
    await new Promise((r) => setTimeout(r, 25));
  }
  return "(no reply)";
}

async function waitForVerdict(bot: Bot, pr: number) {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const [run] = await bot.store.runs.forPr(REPO, pr, 1);
    if (run?.state === "finished") return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the run on PR #${pr} did not finish`);
}

process.exitCode = await main();
