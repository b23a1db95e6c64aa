import { afterEach, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import { auditTestme } from "../../src/emulator/audit.ts";
import { tempDir, TEST_SECRET, TEST_TOKEN } from "../support/bot.ts";
import { spawnBot, writeConfig, type ChildBot } from "../support/child-bot.ts";
import { waitFor } from "../support/wait.ts";

const RUNNER = new URL("../support/runner.mjs", import.meta.url).pathname;

/** Starts (or restarts) the bot process on `config`, the emulator's only webhook pointing at it. */
function starter(emu: GiteaEmulator, config: string, started: (bot: ChildBot) => void): () => Promise<ChildBot> {
  return async () => {
    const bot = await spawnBot(config);
    started(bot);
    emu.hooks.splice(0);
    emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
    return bot;
  };
}

/** The configuration of a bot process beside the emulator, with the scriptable runner (its behaviour named by the PR branch). */
function childBotConfig(dir: string, giteaUrl: string, runner: Record<string, unknown> = {}): string {
  return writeConfig(
    dir,
    JSON.stringify({
      gitea: { url: giteaUrl, token: TEST_TOKEN, botUser: "ci-bot" },
      webhook: { secrets: [TEST_SECRET] },
      server: { port: 0, host: "127.0.0.1" },
      dataDir: join(dir, "data"),
      outbox: { backoffMs: 5, maxBackoffMs: 50 },
      testme: { repos: ["recipes/*"], trust: { orgs: ["recipes"] }, runner: { command: [process.execPath, RUNNER, "by-ref"], graceSeconds: 0.2, ...runner } },
    }),
  );
}
const NC = "recipes/nextcloud";

// Real bot processes, each loading the TypeScript sources (seconds apiece on a busy machine).
describe("runs outlive the bot (real bot processes, SIGKILL)", { timeout: 120_000 }, () => {
  let bots: ChildBot[] = [];
  let emu: GiteaEmulator;
  afterEach(async () => {
    for (const b of bots) b.child.kill("SIGKILL");
    bots = [];
    await emu.close();
  });

  async function setup() {
    const dir = tempDir();
    emu = await new GiteaEmulator().start();
    emu.state.addUser("ci-bot", TEST_TOKEN);
    emu.state.addOrg("recipes", ["alice", "ci-bot"]);
    emu.state.addRepo(NC);
    const start = starter(emu, childBotConfig(dir, emu.url), (b) => bots.push(b));
    return { dir, start };
  }

  const statuses = (sha: string) => emu.state.statusesOf(NC, sha).reverse().map((s) => `${s.state}: ${s.description}`);

  async function startRun(ref: string) {
    const { pull } = await emu.openPull(NC, { author: "alice", headRef: ref, headSha: ref.padEnd(40, "0").replace(/[^0-9a-f]/g, "b") });
    await emu.comment(NC, pull.number, "alice", "!testme");
    await waitFor(() => statuses(pull.headSha).includes("pending: running"), "the run to start");
    const url = emu.state.latestStatus(NC, pull.headSha, "cc-ci/testme")!.targetUrl;
    return { pull, runId: Number(/\/runs\/(\d+)$/.exec(url)![1]) };
  }

  it("adopts a run after a SIGKILL and posts its verdict exactly once", async () => {
    const { dir, start } = await setup();
    const first = await start();
    const { pull, runId } = await startRun("hold-a");
    const runDir = join(dir, "data", "runs", String(runId));
    first.child.kill("SIGKILL");
    await first.exited;
    writeFileSync(join(runDir, "release"), "0");
    await waitFor(() => existsSync(join(runDir, "exit.json")), "the run to end while the bot is down");

    await start();
    await waitFor(() => statuses(pull.headSha).some((s) => s.startsWith("success:")), "the verdict after the restart");
    await waitFor(() => emu.state.commentsOn(NC, pull.number).filter((c) => c.author.login === "ci-bot").length === 1, "the result comment");
    expect(statuses(pull.headSha).filter((s) => !s.startsWith("pending"))).toEqual([expect.stringMatching(/^success: GREEN in \d+s$/)]);
  });

  it("adopts a run still going after a restart, and reports it when it ends", async () => {
    const { dir, start } = await setup();
    const first = await start();
    const { pull, runId } = await startRun("hold-b");
    first.child.kill("SIGKILL");
    await first.exited;
    const second = await start();
    await waitFor(() => second.logs.join("\n").includes("adopted a run that outlived the previous bot process"), "the adoption");
    writeFileSync(join(dir, "data", "runs", String(runId), "release"), "3");
    await waitFor(() => statuses(pull.headSha).some((s) => s.startsWith("failure:")), "the verdict");
    expect(statuses(pull.headSha).filter((s) => !s.startsWith("pending"))).toEqual(["failure: RED: exit 3"]);
  });

  // What systemd does on `systemctl stop` or `restart` with KillMode=process: SIGTERM to the bot alone.
  it("leaves a run going on a graceful stop (SIGTERM, exit 0); the next start adopts it", async () => {
    const { dir, start } = await setup();
    const first = await start();
    const { pull, runId } = await startRun("hold-c");
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const runDir = join(dir, "data", "runs", String(runId));
    expect(existsSync(join(runDir, "exit.json"))).toBe(false);
    expect(statuses(pull.headSha).filter((s) => !s.startsWith("pending"))).toEqual([]);
    const second = await start();
    await waitFor(() => second.logs.join("\n").includes("adopted a run that outlived the previous bot process"), "the adoption");
    writeFileSync(join(runDir, "release"), "0");
    await waitFor(() => statuses(pull.headSha).some((s) => s.startsWith("success:")), "the verdict");
    expect(statuses(pull.headSha).filter((s) => !s.startsWith("pending"))).toEqual([expect.stringMatching(/^success: GREEN in \d+s$/)]);
  });

  it("ends a run whose processes died while the bot was down as ERROR, once", async () => {
    const { dir, start } = await setup();
    const first = await start();
    const { pull, runId } = await startRun("hold-c");
    const runDir = join(dir, "data", "runs", String(runId));
    await waitFor(() => existsSync(join(runDir, "runner.pid")), "the runner to start");
    first.child.kill("SIGKILL");
    await first.exited;
    process.kill(findWrapper(runDir), "SIGKILL");
    process.kill(-Number(readFileSync(join(runDir, "runner.pid"), "utf8")), "SIGKILL");

    await start();
    await waitFor(() => statuses(pull.headSha).some((s) => s.startsWith("error:")), "the ERROR verdict");
    // The result comment goes out after the final status, in the same lane: once it is there,
    // every status of this run has been written.
    await waitFor(() => emu.state.commentsOn(NC, pull.number).some((c) => c.author.login === "ci-bot"), "the result comment");
    expect(statuses(pull.headSha).filter((s) => !s.startsWith("pending"))).toEqual(["error: ERROR: the run's process was lost"]);
    expect(existsSync(join(runDir, "exit.json"))).toBe(false);
  });
});

describe("every effect once when the bot is SIGKILLed while runs go (real bot processes)", () => {
  let bots: ChildBot[] = [];
  afterEach(async () => {
    for (const b of bots) b.child.kill("SIGKILL");
    bots = [];
  });

  it("one run, one final status and no pending after it, one eyes reaction and one result comment per !testme, across two kills", async () => {
    const dir = tempDir();
    const repos = Array.from({ length: 6 }, (_, i) => `recipes/app-${i}`);
    const emu = await new GiteaEmulator().start();
    try {
      emu.state.addUser("ci-bot", TEST_TOKEN);
      emu.state.addOrg("recipes", ["alice", "ci-bot"]);
      for (const r of repos) emu.state.addRepo(r);
      const start = starter(emu, childBotConfig(dir, emu.url, { capacity: 3 }), (b) => bots.push(b));
      const kill = async (bot: ChildBot) => {
        bot.child.kill("SIGKILL");
        await bot.exited;
      };
      const writesSoFar = () => emu.state.calls.filter((c) => c.method !== "GET").length;

      const first = await start();
      const asked = [];
      for (const [i, repo] of repos.entries()) {
        const { pull } = await emu.openPull(repo, { author: "alice", headRef: `slow-${i}`, headSha: String(i + 1).repeat(40) });
        const { comment, deliveries } = await emu.comment(repo, pull.number, "alice", "!testme");
        expect(deliveries[0]!.status).toBe(202);
        asked.push({ repo, pull, comment });
      }
      await waitFor(() => emu.state.calls.some((c) => c.method === "POST" && (c.body as { description?: string } | null)?.description === "running"), "a run to go", 30_000);
      await kill(first);
      const second = await start();
      const before = writesSoFar();
      await waitFor(() => writesSoFar() > before, "the second bot to write to the forge", 30_000);
      await kill(second);
      await start();

      for (const a of asked) {
        await waitFor(() => auditTestme(emu.state, { repo: a.repo, number: a.pull.number, sha: a.pull.headSha, commentId: a.comment.id, bot: "ci-bot" }).resultComments === 1, `the result on ${a.repo}`, 60_000);
      }
      for (const a of asked) {
        const audit = auditTestme(emu.state, { repo: a.repo, number: a.pull.number, sha: a.pull.headSha, commentId: a.comment.id, bot: "ci-bot" });
        expect({ repo: a.repo, ...audit, eyesRequests: undefined }).toEqual({ repo: a.repo, finals: 1, pendingAfterFinal: 0, repeatedStatuses: 0, eyes: 1, eyesRequests: undefined, resultComments: 1, replies: 0 });
        const runs = readdirSync(join(dir, "data", "runs")).filter((id) => readFileSync(join(dir, "data", "runs", id, "spec.json"), "utf8").includes(a.pull.headSha));
        expect(runs).toHaveLength(1);
        expect(readFileSync(join(dir, "data", "runs", runs[0]!, "executions"), "utf8").trim().split("\n")).toHaveLength(1);
      }
    } finally {
      for (const b of bots) b.child.kill("SIGKILL");
      await emu.close();
    }
  }, 120_000);
});

/** The pid of the wrapper supervising a run dir, from /proc. */
function findWrapper(runDir: string): number {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
      if (cmd.includes("wrapper.mjs") && cmd.includes(runDir)) return Number(pid);
    } catch {
      // the process ended while we looked
    }
  }
  throw new Error(`no wrapper for ${runDir}`);
}
