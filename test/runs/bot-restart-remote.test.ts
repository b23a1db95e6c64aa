import { afterEach, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import { tempDir, TEST_SECRET, TEST_TOKEN } from "../support/bot.ts";
import { spawnBot, writeConfig, type ChildBot } from "../support/child-bot.ts";
import { startRedis, type RedisServer } from "../support/redis-server.ts";
import { RUNNER_COMMAND } from "../support/runner-backends.ts";
import { waitFor } from "../support/wait.ts";
import { hostRunning, killWorker, spawnWorker, type WorkerProcess } from "../support/worker-process.ts";

const NC = "recipes/nextcloud";
let bots: ChildBot[] = [];
let workers: WorkerProcess[] = [];
let redis: RedisServer | null = null;
let emu: GiteaEmulator | null = null;
afterEach(async () => {
  for (const b of bots) b.child.kill("SIGKILL");
  await Promise.all(workers.map((w) => killWorker(w)));
  await redis?.stop();
  await emu?.close();
  bots = [];
  workers = [];
  redis = null;
  emu = null;
});

// Real bot processes (each loading the TypeScript sources), a real redis-server, two workers.
describe("the bot SIGKILLed while its runs go on workers", { timeout: 120_000 }, () => {
  it("the next start adopts the remote runs and posts each final status once", async () => {
    redis = await startRedis();
    const r = redis;
    workers = await Promise.all(["host-1", "host-2"].map((name) => spawnWorker({ redisUrl: r.url, command: RUNNER_COMMAND, name, lockSeconds: 2 })));
    emu = await new GiteaEmulator().start();
    const e = emu;
    e.state.addUser("ci-bot", TEST_TOKEN);
    e.state.addOrg("recipes", ["alice", "ci-bot"]);
    e.state.addRepo(NC);
    e.state.addRepo("recipes/wordpress");
    const dir = tempDir();
    const config = writeConfig(
      dir,
      JSON.stringify({
        gitea: { url: e.url, token: TEST_TOKEN, botUser: "ci-bot" },
        webhook: { secrets: [TEST_SECRET] },
        server: { port: 0, host: "127.0.0.1" },
        dataDir: join(dir, "data"),
        outbox: { backoffMs: 5, maxBackoffMs: 50 },
        testme: { repos: ["recipes/*"], trust: { orgs: ["recipes"] }, runner: { backend: "bullmq", redis: r.url, lockSeconds: 2, graceSeconds: 0.2 } },
      }),
    );
    const start = async () => {
      const bot = await spawnBot(config);
      bots.push(bot);
      e.hooks.splice(0);
      e.addHook(`${bot.url}/webhook`, TEST_SECRET);
      return bot;
    };
    const statuses = (repo: string, sha: string) => e.state.statusesOf(repo, sha).reverse().map((s) => `${s.state}: ${s.description}`);
    const first = await start();
    const started: Array<{ repo: string; sha: string; runId: number }> = [];
    for (const [repo, ref] of [[NC, "hold-1"], ["recipes/wordpress", "hold-2"]] as const) {
      const sha = ref.padEnd(40, "0").replace(/[^0-9a-f]/g, "e");
      const { pull } = await e.openPull(repo, { author: "alice", headRef: ref, headSha: sha });
      await e.comment(repo, pull.number, "alice", "!testme");
      await waitFor(() => statuses(repo, sha).includes("pending: running"), `${repo}'s run to start`);
      const url = e.state.latestStatus(repo, sha, "cc-ci/testme")!.targetUrl;
      started.push({ repo, sha, runId: Number(/\/runs\/(\d+)$/.exec(url)![1]) });
    }
    const dirs = await Promise.all(started.map((s) => hostRunning(workers, r.client, s.runId)));
    first.child.kill("SIGKILL");
    await first.exited;
    // One run ends while the bot is down, the other after it is back.
    writeFileSync(join(dirs[0]!, "release"), "0");
    await waitFor(async () => (await r.client.exists(`ccci:run:${started[0]!.runId}:result`)) === 1, "the first result to wait in Redis");

    await start();
    await waitFor(() => statuses(NC, started[0]!.sha).some((s) => s.startsWith("success:")), "the first verdict after the restart", 30_000);
    writeFileSync(join(dirs[1]!, "release"), "1");
    await waitFor(() => statuses("recipes/wordpress", started[1]!.sha).some((s) => s.startsWith("failure:")), "the second verdict", 30_000);
    expect(statuses(NC, started[0]!.sha).filter((s) => !s.startsWith("pending"))).toEqual([expect.stringMatching(/^success: GREEN/)]);
    expect(statuses("recipes/wordpress", started[1]!.sha).filter((s) => !s.startsWith("pending"))).toEqual(["failure: RED: exit 1"]);
    // Each run ran once: its runner printed its first line once in the copied log.
    for (const s of started) {
      const log = await fetch(`${bots[1]!.url}/runs/${s.runId}/log`).then((x) => x.text());
      expect(log.match(/runner hold for/g)).toHaveLength(1);
    }
  });
});
