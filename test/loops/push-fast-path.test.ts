import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import type { EmuCommit } from "../../src/emulator/entities.ts";
import { LoopRepo } from "../../src/demo/loop-repo.ts";
import { headCursor } from "../../src/loops/relay.ts";
import { Agents } from "../support/agents.ts";
import { startTestBot, tempDir, TEST_SECRET, type TestBot } from "../support/bot.ts";
import { pushAndDeliver } from "../support/loop-push.ts";
import { waitFor } from "../support/wait.ts";

// Push → ping without waiting for git, where the payload says it all: the bot (real bare repo
// and clone, real tmux agents, the emulator as Gitea 1.15.11, whose payloads list at most five
// commits and no total) relays a fast-forward from the head it recorded whose payload lists
// every commit before it fetches. The mirror's fetch is observed: each call is traced with the
// pings queued and typed at that moment, and may be held until the agent has the ping (what
// "typed before the fetch" means: the ping does not need it).

const REPO = "ops/cc-ci";
const dir = tempDir();
const repo = new LoopRepo(dir);
const agents = new Agents(dir);
const adversary = "fp-adv";
let emu: GiteaEmulator;
let bot: TestBot;
const trace: string[] = [];
/** While set, a fetch waits (bounded) until the adversary has this many pings before it starts. */
let holdUntilTyped: number | null = null;

beforeAll(async () => {
  await agents.start(adversary);
  emu = await new GiteaEmulator({ flavour: "gitea-1.15" }).start();
  emu.state.addUser("agent");
  emu.state.addRepo(REPO);
  bot = await startTestBot({
    dataDir: `${dir}/data`,
    overrides: {
      gitea: { url: emu.url },
      loops: [{ name: "cc-ci", repo: REPO, cloneUrl: repo.bare, sessions: { adversary: { tmux: adversary, start: agents.argv(adversary) } } }],
      supervisor: { tmuxSocket: agents.socket },
    },
  });
  emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
  await bot.catchUp.loops.sweep();
  const mirror = bot.mirrors.for(bot.config.loops[0]!);
  const fetch = mirror.fetch.bind(mirror);
  mirror.fetch = async () => {
    const until = holdUntilTyped;
    if (until !== null) await waitFor(() => agents.received(adversary).length >= until, "the ping to be typed while the fetch is held").catch(() => undefined);
    trace.push(`fetch: ${(await bot.store.pings.recent(100)).length} queued, ${agents.received(adversary).length} typed`);
    return fetch();
  };
}, 30_000);

afterAll(async () => {
  await bot.dispose();
  await emu.close();
  await agents.close();
});

const settle = async () => {
  await bot.dispatcher.idle();
  await bot.messenger.idle();
};
const line = (c: EmuCommit) => `${c.sha.slice(0, 7)} ${c.message.split("\n")[0]}`;
const cursor = async () => bot.store.cursors.get(headCursor(bot.config.loops[0]!));

describe("push → ping from the payload when it lists every commit (Gitea 1.15 payloads)", () => {
  it("a 3-commit fast-forward from the recorded head is pinged with no fetch before typing", async () => {
    holdUntilTyped = 1;
    const commits = await pushAndDeliver(repo, emu, REPO, { subject: "claim(gate-1): one" }, { subject: "work on gate 1" }, { subject: "claim(gate-2): two" });
    await waitFor(() => trace.length === 1, "the fetch");
    await settle();
    expect(trace).toEqual(["fetch: 1 queued, 1 typed"]);
    expect(agents.received(adversary)).toEqual([`[cc-ci-bot] cc-ci: ${line(commits[0]!)} | ${line(commits[2]!)}`]);
    // The git pass after the fetch found the marks: no second ping; the head moved on.
    expect(await cursor()).toBe(repo.head());
  });

  it("a 5-commit push (the listing may be cut at five) goes through git first", async () => {
    holdUntilTyped = null;
    trace.length = 0;
    const commits = await pushAndDeliver(repo, emu, REPO, ...Array.from({ length: 5 }, (_, i) => ({ subject: i === 4 ? "claim(gate-3): three" : `work ${i}` })));
    await waitFor(() => agents.received(adversary).length === 2, "the ping");
    await settle();
    expect(trace).toEqual(["fetch: 1 queued, 1 typed"]);
    expect(agents.received(adversary)[1]).toBe(`[cc-ci-bot] cc-ci: ${line(commits[4]!)}`);
  });

  it("a force push goes through git: the mirror's ancestry check alerts and re-baselines, nothing is pinged", async () => {
    trace.length = 0;
    const before = repo.head();
    execFileSync("git", ["reset", "--quiet", "--hard", "HEAD~2"], { cwd: repo.work });
    repo.push(true);
    const [sent] = await emu.push(REPO, { ref: "refs/heads/main", before, after: repo.head(), commits: [], pusher: "agent" });
    expect(sent?.status).toBe(202);
    await waitFor(async () => (await bot.store.loops.alerts(10)).some((a) => a.kind === "force-push"), "the force-push alert");
    await settle();
    expect(trace).toEqual(["fetch: 2 queued, 2 typed"]);
    expect(await cursor()).toBe(repo.head());
    expect(agents.received(adversary)).toHaveLength(2);
  });
});
