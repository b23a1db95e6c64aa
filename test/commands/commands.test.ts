import { afterEach, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import { Agents } from "../support/agents.ts";
import { runDirOf, startTestBot, tempDir, TEST_SECRET, TEST_TOKEN, type TestBot } from "../support/bot.ts";
import { waitFor } from "../support/wait.ts";
import { replyText } from "../support/replies.ts";
import { sanitizePing } from "../../src/loops/sanitize.ts";

const RUNNER = new URL("../support/runner.mjs", import.meta.url).pathname;
const JOB = new URL("../support/job.mjs", import.meta.url).pathname;
const NC = "recipes/nextcloud";
const LOOP = "ops/cc-ci";

interface World {
  emu: GiteaEmulator;
  bot: TestBot;
  agents: Agents;
  dir: string;
}
let worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds) {
    for (const r of await w.bot.store.runs.recent(20)) if (r.state === "running") writeFileSync(join(runDirOf(w.bot, r.id), "release"), "0");
    await w.bot.dispose();
    await w.emu.close();
    await w.agents.close();
  }
  worlds = [];
});

async function world(overrides: Record<string, unknown> = {}): Promise<World> {
  const dir = tempDir();
  const agents = new Agents(dir);
  const emu = await new GiteaEmulator().start();
  emu.state.addUser("ci-bot", TEST_TOKEN);
  emu.state.addOrg("recipes", ["alice", "ci-bot"]);
  emu.state.addUser("olga");
  emu.state.addUser("carol");
  emu.state.addRepo(NC);
  emu.state.addRepo(LOOP);
  const bot = await startTestBot({
    supervise: false,
    overrides: {
      gitea: { url: emu.url, botUser: "ci-bot" },
      operators: ["olga"],
      testme: { repos: ["recipes/*"], trust: { orgs: ["recipes"] }, runner: { command: [process.execPath, RUNNER, "by-ref"], graceSeconds: 0.2 } },
      jobs: {
        "recipe-upgrade": { command: [process.execPath, JOB, "ok", dir] },
        "upgrade-all": { command: [process.execPath, JOB, "hold", dir] },
      },
      loops: [
        {
          name: "cc-ci",
          repo: LOOP,
          cloneUrl: join(dir, "no-such-repo.git"),
          sessions: { builder: { session: "cmd-builder", start: agents.argv("cmd-builder") } },
          phases: [
            { id: "1", plan: "plan-1.md", status: "S-1.md" },
            { id: "2", plan: "plan-2.md", status: "S-2.md" },
          ],
        },
      ],
      ...overrides,
      supervisor: { tmuxSocket: agents.socket, ...(overrides.supervisor as object | undefined) },
    },
  });
  emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
  const w = { emu, bot, agents, dir };
  worlds.push(w);
  return w;
}

let seed = 0;
async function pr(w: World, ref: string) {
  const { pull } = await w.emu.openPull(NC, { author: "alice", headRef: ref, headSha: (++seed).toString(16).padStart(40, "c") });
  return pull;
}
const say = async (w: World, n: number, who: string, body: string) => {
  const { deliveries } = await w.emu.comment(NC, n, who, body);
  expect(deliveries[0]?.status).toBe(202);
};
const replies = (w: World, n: number, to: string) => w.emu.state.commentsOn(NC, n).filter((c) => c.author.login === "ci-bot" && c.body.startsWith(`@${to} `)).map((c) => replyText(c.body).slice(to.length + 2));
async function settle(w: World) {
  await w.bot.dispatcher.idle();
  await w.bot.outbox.idle();
}

describe("slash-commands (emulated Gitea, real jobs and tmux)", () => {
  it("refuses every maintainer and operator command to lower tiers with one reply each, and does nothing else", async () => {
    const w = await world();
    const p = await pr(w, "hold-c1");
    const operatorOnly = ["/recipe-upgrade", "/upgrade-all", "/ping builder hi", "/phase", "/restart cmd-builder", "/pause cmd-builder", "/resume cmd-builder"];
    for (const c of operatorOnly) await say(w, p.number, "alice", c);
    for (const c of ["/retest", "/cancel"]) await say(w, p.number, "carol", c);
    await waitFor(() => replies(w, p.number, "alice").length === operatorOnly.length && replies(w, p.number, "carol").length === 2, "the refusals");
    await settle(w);
    expect(new Set(replies(w, p.number, "alice"))).toEqual(new Set(operatorOnly.map((c) => `\`${c.split(" ")[0]}\` is for operators only.`)));
    expect(replies(w, p.number, "carol")).toEqual(["`/retest` is for maintainers only.", "`/cancel` is for maintainers only."]);
    expect(await w.bot.store.runs.recent(5)).toEqual([]);
    expect(await w.bot.store.jobs.recent(5)).toEqual([]);
    expect(await w.bot.store.pings.recent(5)).toEqual([]);
    expect(await w.bot.store.supervisor.actions(5)).toEqual([]);
  });

  it("answers /help for the commenter's tier, /status, and unknown commands in one line", async () => {
    const w = await world();
    const p = await pr(w, "pass-c2");
    await say(w, p.number, "carol", "/help\n/frobnicate");
    await say(w, p.number, "olga", "/help");
    await waitFor(() => replies(w, p.number, "carol").length === 2 && replies(w, p.number, "olga").length === 1, "the replies");
    const [carolHelp, unknown] = replies(w, p.number, "carol");
    expect(carolHelp).toContain("`/status`");
    expect(carolHelp).not.toContain("`/retest`");
    expect(unknown).toBe("unknown command `/frobnicate`; `/help` lists the commands you may use.");
    expect(replies(w, p.number, "olga")[0]).toContain("`/upgrade-all [--dry-run]`");

    await say(w, p.number, "alice", "!testme");
    await waitFor(async () => (await w.bot.store.runs.forPr(NC, p.number, 1))[0]?.state === "finished", "a run");
    await say(w, p.number, "carol", "/status");
    await waitFor(() => replies(w, p.number, "carol").length === 3, "the status");
    expect(replies(w, p.number, "carol")[2]).toMatch(/^last verdict: \*\*GREEN\*\*\.\n\n\| run \| commit \| mode \| state \|/);
  });

  it("waits out a permission check Gitea cannot answer instead of answering for the wrong tier, then answers once", async () => {
    const w = await world();
    const p = await pr(w, "pass-c9");
    w.emu.state.faults.push({ path: /\/orgs\/recipes\/members\//, status: 503, times: 3 });
    await say(w, p.number, "alice", "/help");
    await waitFor(() => replies(w, p.number, "alice").length === 1, "the help");
    await settle(w);
    expect(replies(w, p.number, "alice")).toHaveLength(1);
    expect(replies(w, p.number, "alice")[0]).toContain("`/retest`");
  });

  it("/retest re-runs the last mode on the current head; /cancel cancels and the status says so", async () => {
    const w = await world();
    const p = await pr(w, "hold-c3");
    await say(w, p.number, "alice", "!testme --quick");
    const first = await waitFor(async () => (await w.bot.store.runs.forPr(NC, p.number, 1)).find((r) => r.state === "running"), "the first run");
    await say(w, p.number, "alice", "/cancel");
    await waitFor(async () => (await w.bot.store.runs.get(first.id))?.state === "finished", "the cancel");
    expect(await w.bot.store.runs.get(first.id)).toMatchObject({ verdict: "ERROR", reason: "cancelled by @alice" });
    await waitFor(() => w.emu.state.latestStatus(NC, p.headSha, "cc-ci/testme")?.description === "ERROR: cancelled by @alice", "the cancelled status");

    const head = (++seed).toString(16).padStart(40, "c");
    await w.emu.pushToPull(NC, p.number, head);
    await say(w, p.number, "alice", "/retest");
    const again = await waitFor(async () => (await w.bot.store.runs.forPr(NC, p.number, 1)).find((r) => r.id !== first.id), "the re-run");
    expect(again).toMatchObject({ sha: head, mode: "quick" });
    await waitFor(() => replies(w, p.number, "alice").some((r) => r.startsWith("re-running: a quick run of")), "the reply");
  });

  it("runs /recipe-upgrade and posts success, failure, the log link and the PR it opened, once each", async () => {
    const w = await world();
    const p = await pr(w, "pass-c4");
    await say(w, p.number, "olga", "/recipe-upgrade --with-tests");
    await waitFor(() => replies(w, p.number, "olga").length === 2, "start and outcome");
    const [started, outcome] = replies(w, p.number, "olga");
    const job = (await w.bot.store.jobs.recent(1))[0]!;
    expect(started).toBe(`started \`recipe-upgrade --with-tests\`: ${w.bot.url}/jobs/${job.id}`);
    expect(outcome).toBe(`\`recipe-upgrade\` succeeded ✅: ${w.bot.url}/jobs/${job.id}\nIt opened https://git.example.org/recipes/nextcloud/pulls/42`);
    const page = await (await fetch(`${w.bot.url}/jobs/${job.id}`)).text();
    expect(page).toContain("args: --with-tests");
    expect(page).toContain(`for ${NC} (nextcloud) PR ${p.number} by olga`);

    const failing = await world({ jobs: { "recipe-upgrade": { command: [process.execPath, JOB, "fail", "/tmp"] } } });
    const q = await pr(failing, "pass-c5");
    await say(failing, q.number, "olga", "/recipe-upgrade");
    await waitFor(() => replies(failing, q.number, "olga").length === 2, "start and outcome");
    expect(replies(failing, q.number, "olga")[1]).toMatch(/^`recipe-upgrade` failed ❌ \(exit 4\): http/);
    await settle(failing);
    expect(replies(failing, q.number, "olga")).toHaveLength(2);
  });

  it("passes --dry-run to /upgrade-all and starts nothing for a second one while it runs", async () => {
    const w = await world();
    const p = await pr(w, "pass-c6");
    await say(w, p.number, "olga", "/upgrade-all --dry-run");
    await waitFor(() => replies(w, p.number, "olga").length === 1, "the start");
    await say(w, p.number, "olga", "/upgrade-all");
    await waitFor(() => replies(w, p.number, "olga").length === 2, "the second answer");
    const job = (await w.bot.store.jobs.recent(5))[0]!;
    expect(await w.bot.store.jobs.recent(5)).toHaveLength(1);
    expect(replies(w, p.number, "olga")[1]).toBe(`a \`upgrade-all\` job is already running: ${w.bot.url}/jobs/${job.id}`);
    expect(job.args).toEqual(["--dry-run"]);
    writeFileSync(join(w.dir, `release-${job.id}`), "");
    await waitFor(() => replies(w, p.number, "olga").length === 3, "the outcome");
  });

  it("/ping types sanitised text into the builder; /phase advances once; /restart restarts; /pause holds the supervisor until /resume", async () => {
    const w = await world();
    await w.agents.start("cmd-builder");
    const p = await pr(w, "pass-c7");
    await say(w, p.number, "olga", "/ping builder please \x1b[31mrebase\x1b[0m on main");
    await waitFor(() => w.agents.received("cmd-builder").length === 1, "the ping");
    expect(w.agents.received("cmd-builder")).toEqual(["[cc-ci-bot] from @olga: please rebase on main"]);

    await say(w, p.number, "olga", "/phase advance");
    await waitFor(() => replies(w, p.number, "olga").some((r) => r.startsWith("cc-ci: advanced to phase 2")), "the advance");
    expect((await w.bot.phases.state(w.bot.config.loops[0]!)).index).toBe(1);
    await waitFor(() => w.agents.starts("cmd-builder") === 2, "the builder restarted with the next kickoff");

    await say(w, p.number, "olga", "/restart cmd-builder");
    await waitFor(() => w.agents.starts("cmd-builder") === 3, "the restart");
    await waitFor(async () => (await w.bot.store.supervisor.actions(5, "cmd-builder"))[0]?.reason === "manual", "the recorded action");
    expect((await w.bot.store.supervisor.actions(5, "cmd-builder"))[0]!.detail).toBe("restarted by @olga");

    await say(w, p.number, "olga", "/pause cmd-builder");
    await waitFor(async () => (await w.bot.store.supervisor.state("cmd-builder")).paused, "the pause");
    await w.agents.tmux.killSession("cmd-builder");
    await w.bot.supervisor.tick();
    expect(w.agents.starts("cmd-builder")).toBe(3);
    await say(w, p.number, "olga", "/resume cmd-builder");
    await waitFor(async () => !(await w.bot.store.supervisor.state("cmd-builder")).paused, "the resume");
    await w.bot.supervisor.tick();
    await waitFor(() => w.agents.starts("cmd-builder") === 4, "the supervisor to act again");
  });

  it("/ping text that matches a configured limit pattern is neutralised as a relay ping is, so the supervisor never reads it as the agent's limit", async () => {
    const w = await world({ supervisor: { patterns: { limit: ["quota is (gone|spent)"] } } });
    expect(w.bot.patterns.limit.map(String)).toEqual(["/quota is (gone|spent)/i"]);
    await w.agents.start("cmd-builder");
    const p = await pr(w, "pass-c9");
    await say(w, p.number, "olga", "/ping builder the quota is gone until 18:00, hold the claim");
    await waitFor(() => w.agents.received("cmd-builder").length === 1, "the ping");
    const typed = w.agents.received("cmd-builder")[0]!;
    expect(typed).toBe("[cc-ci-bot] from @olga: the quota-is-gone until 18:00, hold the claim");
    expect(typed).toBe(sanitizePing("[cc-ci-bot] from @olga: the quota is gone until 18:00, hold the claim", undefined, w.bot.patterns.limit));
    expect(w.bot.patterns.limit.some((re) => re.test(typed))).toBe(false);
  });

  it("answers the command past the rate limit once, and runs nothing for it", async () => {
    const w = await world({ commands: { rateLimit: { count: 3, windowSeconds: 600 } } });
    const p = await pr(w, "pass-c8");
    await say(w, p.number, "carol", "/status\n/status\n/status\n/status\n/status");
    await waitFor(() => replies(w, p.number, "carol").length === 4, "three answers and one refusal");
    await settle(w);
    const got = replies(w, p.number, "carol");
    expect(got.filter((r) => r.startsWith("no runs on this PR yet"))).toHaveLength(3);
    expect(got.filter((r) => r.startsWith("slow down: at most 3 commands per 600 s"))).toHaveLength(1);
  });
});
