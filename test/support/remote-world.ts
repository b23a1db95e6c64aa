import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import type { Run } from "../../src/store/runs.ts";
import { startTestBot, TEST_SECRET, TEST_TOKEN, type TestBot } from "./bot.ts";
import { startRedis, type RedisServer } from "./redis-server.ts";
import { RUNNER_COMMAND } from "./runner-backends.ts";
import { waitFor } from "./wait.ts";
import { hostRunning, killWorker, spawnWorker, type WorkerOptions, type WorkerProcess } from "./worker-process.ts";

export const NC = "recipes/nextcloud";
export const WP = "recipes/wordpress";

/**
 * The bot (in this process, real SQLite, real HTTP) beside an emulated Gitea, with its runs on
 * worker processes over a real redis-server: each worker a host with a directory of its own.
 */
export interface RemoteWorld {
  emu: GiteaEmulator;
  bot: TestBot;
  redis: RedisServer;
  workers: WorkerProcess[];
  addWorker(o?: Partial<WorkerOptions>): Promise<WorkerProcess>;
  /** Opens a PR whose head ref names the runner's behaviour ("hold-1" -> hold) and comments !testme. */
  testme(ref: string, repo?: string): Promise<{ number: number; sha: string; run: Run }>;
  /** Statuses of a commit, oldest first, as "state: description". */
  statuses(sha: string, repo?: string): string[];
  /** The run dir of a run on whichever host runs it, once its runner started. */
  hostDir(runId: number): Promise<string>;
  release(runId: number, code: number): Promise<void>;
  dispose(): Promise<void>;
}

let shaSeed = 0x5000;

export async function remoteWorld(o: { lockSeconds?: number; workers?: Array<Partial<WorkerOptions>>; pool?: Record<string, string> } = {}): Promise<RemoteWorld> {
  const lockSeconds = o.lockSeconds ?? 2;
  const redis = await startRedis();
  const workers: WorkerProcess[] = [];
  const addWorker = async (w: Partial<WorkerOptions> = {}) => {
    const p = await spawnWorker({ redisUrl: redis.url, command: RUNNER_COMMAND, concurrency: 2, name: `host-${workers.length + 1}`, lockSeconds, ...w });
    workers.push(p);
    return p;
  };
  const specs = o.workers ?? [{}, {}];
  // Started together (each loads the sources), named in order.
  const started = await Promise.all(specs.map((w, i) => spawnWorker({ redisUrl: redis.url, command: RUNNER_COMMAND, concurrency: 2, name: `host-${i + 1}`, lockSeconds, ...w })));
  workers.push(...started);
  const emu = await new GiteaEmulator({ flavour: "gitea-modern" }).start();
  emu.state.addUser("ci-bot", TEST_TOKEN);
  emu.state.addOrg("recipes", ["alice", "ci-bot"]);
  emu.state.addRepo(NC);
  emu.state.addRepo(WP);
  const bot = await startTestBot({
    overrides: {
      gitea: { url: emu.url, botUser: "ci-bot" },
      testme: { repos: ["recipes/*"], trust: { orgs: ["recipes"] }, runner: { backend: "bullmq", redis: redis.url, lockSeconds, graceSeconds: 0.2, pool: o.pool ?? {} } },
    },
  });
  emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
  const hostDir = (id: number) => hostRunning(workers, redis.client, id);
  return {
    emu,
    bot,
    redis,
    workers,
    addWorker,
    async testme(ref, repo = NC) {
      const sha = (++shaSeed).toString(16).padStart(40, "c");
      const { pull } = await emu.openPull(repo, { author: "alice", headRef: ref, headSha: sha });
      await emu.comment(repo, pull.number, "alice", "!testme");
      const run = await waitFor(async () => (await bot.store.runs.forPr(repo, pull.number, 5))[0], "the run to be queued");
      return { number: pull.number, sha, run };
    },
    statuses: (sha, repo = NC) => emu.state.statusesOf(repo, sha).reverse().map((s) => `${s.state}: ${s.description}`),
    hostDir,
    async release(id, code) {
      writeFileSync(join(await hostDir(id), "release"), String(code));
    },
    async dispose() {
      await bot.dispose();
      await emu.close();
      await Promise.all(workers.map((w) => killWorker(w)));
      await redis.stop();
    },
  };
}

/** The final (non-pending) statuses of a commit. */
export const finals = (w: RemoteWorld, sha: string, repo = NC) => w.statuses(sha, repo).filter((s) => !s.startsWith("pending"));
