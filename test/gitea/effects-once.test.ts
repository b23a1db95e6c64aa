import { afterEach, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import type { GiteaOutbox } from "../../src/gitea/outbox.ts";
import { createHandlers } from "../../src/handlers/registry.ts";
import { Executor } from "../../src/runs/executor.ts";
import { openStore } from "../../src/store/index.ts";
import { runDirOf, startTestBot, tempDir, TEST_SECRET, TEST_TOKEN, type TestBot } from "../support/bot.ts";
import { waitFor } from "../support/wait.ts";

const RUNNER = new URL("../support/runner.mjs", import.meta.url).pathname;
const NC = "recipes/nextcloud";

/**
 * A crash at a given point of a handler or a run, simulated in process: the write at that
 * point throws once (what was committed before it stays, as it would after a SIGKILL), and the
 * dispatcher or the run service goes through it again. Then the forge must show each effect once.
 */
interface World {
  emu: GiteaEmulator;
  bot: TestBot;
}
let worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds) {
    await w.bot.dispose();
    await w.emu.close();
  }
  worlds = [];
});

type Crash = { at: (key: string) => boolean } | { afterHandler: true } | null;

async function world(crash: Crash, dataDir?: string): Promise<World> {
  const emu = await new GiteaEmulator().start();
  emu.state.addUser("ci-bot", TEST_TOKEN);
  emu.state.addOrg("recipes", ["alice", "ci-bot"]);
  emu.state.addRepo(NC);
  let crashed = false;
  const bot = await startTestBot({
    ...(dataDir ? { dataDir } : {}),
    overrides: {
      gitea: { url: emu.url, botUser: "ci-bot" },
      testme: { repos: ["recipes/*"], trust: { orgs: ["recipes"] }, runner: { command: [process.execPath, RUNNER, "by-ref"], graceSeconds: 0.2 } },
    },
    handlers: (deps) => {
      const handlers = createHandlers(deps);
      if (crash && "at" in crash) {
        const outbox = deps.outbox as { enqueue: GiteaOutbox["enqueue"] };
        const enqueue = outbox.enqueue.bind(deps.outbox);
        outbox.enqueue = async (key, lane, write, opts) => {
          if (!crashed && crash.at(key)) {
            crashed = true;
            throw new Error(`simulated crash before queuing ${key}`);
          }
          return enqueue(key, lane, write, opts);
        };
      }
      if (crash && "afterHandler" in crash) {
        const testme = handlers.find((h) => h.name === "testme")!;
        const handle = testme.handle.bind(testme);
        testme.handle = async (event, ctx) => {
          await handle(event, ctx);
          if (!crashed && event.kind === "comment" && event.action === "created" && event.author === "alice") {
            crashed = true;
            throw new Error("simulated crash after the handler, before its result was recorded");
          }
        };
      }
      return handlers;
    },
  });
  emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
  const w = { emu, bot };
  worlds.push(w);
  return w;
}

/** What the forge shows of one `!testme` on a PR: each effect should be there once. */
function effects(w: World, number: number, sha: string, commentId: number) {
  const statuses = w.emu.state.statusesOf(NC, sha).reverse().map((s) => `${s.state}: ${s.description.replace(/\d+s$/, "Ns")}`);
  const eyesPosts = w.emu.state.calls.filter((c) => c.method === "POST" && c.path.endsWith(`/issues/comments/${commentId}/reactions`));
  const botComments = w.emu.state.commentsOn(NC, number).filter((c) => c.author.login === "ci-bot");
  return { statuses, eyes: eyesPosts.length, botComments: botComments.map((c) => c.body.split("\n")[1] ?? c.body) };
}

function executions(w: World, runId: number): number {
  const file = join(runDirOf(w.bot, runId), "executions");
  return existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").length : 0;
}

async function testme(w: World, ref: string, sha: string) {
  const { pull } = await w.emu.openPull(NC, { author: "alice", headRef: ref, headSha: sha });
  const { comment } = await w.emu.comment(NC, pull.number, "alice", "!testme");
  await waitFor(() => w.emu.state.latestStatus(NC, sha, "cc-ci/testme")?.state === "success", "the final status");
  await waitFor(() => w.emu.state.commentsOn(NC, pull.number).some((c) => c.author.login === "ci-bot"), "the result comment");
  await w.bot.dispatcher.idle();
  await w.bot.runs.tick();
  await w.bot.outbox.idle();
  return { pull, comment };
}

const ONCE = ["pending: queued (position 1)", "pending: running", "success: GREEN in Ns"];

describe("every effect of a !testme once, whatever step a crash interrupts", () => {
  it.each([
    ["before the eyes reaction is queued", { at: (k: string) => k.startsWith("eyes:") }],
    ["after the run is created, before its queued status", { at: (k: string) => /^status:\d+:queued$/.test(k) }],
    ["after the handler did everything, before its result was recorded", { afterHandler: true as const }],
    ["after the run ended, before its final status", { at: (k: string) => /^status:\d+:final$/.test(k) }],
    ["after the final status, before the result comment", { at: (k: string) => k.startsWith("result:") }],
  ])("crash %s", async (_name, crash) => {
    const w = await world(crash);
    const sha = "c".repeat(40);
    const { pull, comment } = await testme(w, "pass-1", sha);
    const runs = await w.bot.store.runs.forPr(NC, pull.number, 10);
    expect(runs).toHaveLength(1);
    expect(executions(w, runs[0]!.id)).toBe(1);
    const got = effects(w, pull.number, sha, comment.id);
    // A crash before the queued status: the restarted bot may start the run before the replayed
    // !testme asks for that status again, and a status the run has moved past is never sent
    // (RunService.request). Once or not at all, then: never twice, never after "running".
    const statuses = "at" in crash && crash.at("status:1:queued") && got.statuses[0] === "pending: running" ? ONCE.slice(1) : ONCE;
    expect(got).toEqual({ statuses, eyes: 1, botComments: ["### cc-ci: GREEN ✅"] });
  });

  it("a run launched just before the bot died is adopted at the next start, not run a second time", async () => {
    const dataDir = tempDir();
    // What the previous process left: the run queued in the store, its wrapper launched, and
    // no record of the launch (it died in between).
    const store = openStore(dataDir);
    const run = await store.runs.create({ repo: NC, pr: 1, sha: "d".repeat(40), ref: "hold-1", cloneUrl: "", mode: "full", requestedBy: "alice", commentId: 7 }, Date.now(), "t");
    await store.close();
    const executor = new Executor(join(dataDir, "runs"));
    const wrapper = executor.launch(run.id, { argv: [process.execPath, RUNNER, "hold"], env: { CCCI_RUN_DIR: executor.dirOf(run.id) }, timeoutMs: 60_000, graceMs: 200 });
    await waitFor(() => existsSync(join(executor.dirOf(run.id), "executions")), "the runner to start");

    const w = await world(null, dataDir);
    await w.emu.openPull(NC, { author: "alice", headRef: "hold-1", headSha: "d".repeat(40) });
    await waitFor(async () => (await w.bot.store.runs.get(run.id))?.state === "running", "the run to be adopted");
    // The wrapper the dead process launched, not a new one.
    expect((await w.bot.store.runs.get(run.id))!.pid).toBe(wrapper);
    writeFileSync(join(executor.dirOf(run.id), "release"), "0");
    await waitFor(async () => (await w.bot.store.runs.get(run.id))?.state === "finished", "the run to finish");
    expect(executions(w, run.id)).toBe(1);
    expect((await w.bot.store.runs.get(run.id))!.verdict).toBe("GREEN");
    expect(readdirSync(join(dataDir, "runs"))).toEqual([String(run.id)]);
  });
});
