import { afterEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import type { EmuCommit } from "../../src/emulator/entities.ts";
import { Agents } from "../support/agents.ts";
import { startTestBot, tempDir, TEST_SECRET, type TestBot } from "../support/bot.ts";
import { LoopRepo, type CommitSpec } from "../../src/demo/loop-repo.ts";
import { pushAndDeliver } from "../support/loop-push.ts";
import { waitFor } from "../support/wait.ts";

const REPO = "ops/cc-ci";

interface World {
  dir: string;
  repo: LoopRepo;
  agents: Agents;
  emu: GiteaEmulator;
  bot: TestBot;
  builder: string;
  adversary: string;
  orchestrator: string;
}

let worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds) {
    await w.bot.dispose().catch(() => undefined);
    await w.emu.close();
    await w.agents.close();
  }
  worlds = [];
});

const PHASES = [
  { id: "2w", plan: "plan-phase2w.md", status: "machine-docs/STATUS-2w.md" },
  { id: "3", plan: "plan-phase3.md", status: "machine-docs/STATUS-3.md" },
];

function loopConfig(w: Pick<World, "repo" | "agents" | "builder" | "adversary">, phases: unknown[] = []) {
  return {
    loops: [
      {
        name: "cc-ci",
        repo: REPO,
        cloneUrl: w.repo.bare,
        sessions: {
          builder: { session: w.builder, start: w.agents.argv(w.builder) },
          adversary: { session: w.adversary, start: w.agents.argv(w.adversary) },
        },
        phases,
      },
    ],
  };
}

async function world(options: { phases?: unknown[]; orchestrator?: boolean } = {}): Promise<World> {
  const dir = tempDir();
  const repo = new LoopRepo(dir);
  const agents = new Agents(dir);
  const tag = Math.random().toString(36).slice(2, 7);
  const names = { builder: `b-${tag}`, adversary: `a-${tag}`, orchestrator: `o-${tag}` };
  await agents.start(names.builder);
  await agents.start(names.adversary);
  if (options.orchestrator) await agents.start(names.orchestrator);
  const emu = await new GiteaEmulator().start();
  emu.state.addUser("agent");
  emu.state.addRepo(REPO);
  const overrides = {
    gitea: { url: emu.url },
    ...loopConfig({ repo, agents, ...names }, options.phases),
    supervisor: { tmuxSocket: agents.socket, ...(options.orchestrator ? { orchestrator: { session: names.orchestrator, start: ["true"] } } : {}) },
  };
  const bot = await startTestBot({ dataDir: `${dir}/data`, overrides });
  emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
  await bot.catchUp.loops.sweep();
  const w = { dir, repo, agents, emu, bot, ...names };
  worlds.push(w);
  return w;
}

const push = (w: World, ...specs: CommitSpec[]): Promise<EmuCommit[]> => pushAndDeliver(w.repo, w.emu, REPO, ...specs);

async function settle(w: World): Promise<void> {
  await w.bot.dispatcher.idle();
  await w.bot.messenger.idle();
}

const short = (c: EmuCommit) => c.sha.slice(0, 7);

describe("handoff relay (real bare repo and clone, real tmux sessions)", () => {
  it("reads the whole range of a 12-commit push: one adversary ping naming both claims, nothing to the builder", async () => {
    const w = await world();
    const specs = Array.from({ length: 12 }, (_, i) => ({ subject: i === 0 || i === 8 ? `claim(gate-${i + 1}): take it` : `work ${i + 1}` }));
    const commits = await push(w, ...specs);
    await waitFor(() => w.agents.received(w.adversary).length === 1, "the adversary ping");
    await settle(w);
    const [text] = w.agents.received(w.adversary);
    expect(text).toBe(`[cc-ci-bot] cc-ci: ${short(commits[0]!)} claim(gate-1): take it | ${short(commits[8]!)} claim(gate-9): take it`);
    expect(w.agents.received(w.builder)).toEqual([]);
  });

  it("sends one ping to each role when a push holds a claim and a review", async () => {
    const w = await world();
    const [claim, review] = await push(w, { subject: "claim(gate-1): take it" }, { subject: "review(gate-1): PASS looks good" });
    await waitFor(() => w.agents.received(w.adversary).length === 1 && w.agents.received(w.builder).length === 1, "both pings");
    await settle(w);
    expect(w.agents.received(w.adversary)).toEqual([`[cc-ci-bot] cc-ci: ${short(claim!)} claim(gate-1): take it`]);
    expect(w.agents.received(w.builder)).toEqual([`[cc-ci-bot] cc-ci: ${short(review!)} review(gate-1): PASS looks good`]);
  });

  it("pings once across a redelivery, a restart and a catch-up sweep over the same range", async () => {
    const w = await world();
    await push(w, { subject: "claim(gate-1): once" });
    await waitFor(() => w.agents.received(w.adversary).length === 1, "the first ping");
    const [again] = await w.emu.redeliverLast();
    expect(again?.status).toBe(200);
    await w.bot.stop();
    const restarted = await startTestBot({ dataDir: `${w.dir}/data`, overrides: { gitea: { url: w.emu.url }, ...loopConfig(w), supervisor: { tmuxSocket: w.agents.socket } } });
    w.bot = restarted;
    await restarted.catchUp.loops.sweep();
    // A redelivery under a new id after the restart, and a stale delivery of the same range.
    w.emu.hooks.splice(0, w.emu.hooks.length);
    w.emu.addHook(`${restarted.url}/webhook`, TEST_SECRET);
    expect((await w.emu.redeliverLast())[0]?.status).toBe(200);
    await settle(w);
    expect(w.agents.received(w.adversary)).toHaveLength(1);
  });

  it("pings, from the startup sweep, for a push made while the bot was down", async () => {
    const w = await world();
    await w.bot.stop();
    const [missed] = w.repo.commit({ subject: "claim(gate-4): pushed while the bot was down" });
    w.repo.push();
    const restarted = await startTestBot({ dataDir: `${w.dir}/data`, overrides: { gitea: { url: w.emu.url }, ...loopConfig(w), supervisor: { tmuxSocket: w.agents.socket } } });
    w.bot = restarted;
    await waitFor(() => w.agents.received(w.adversary).length === 1, "the sweep's ping");
    expect(w.agents.received(w.adversary)).toEqual([`[cc-ci-bot] cc-ci: ${short(missed!)} claim(gate-4): pushed while the bot was down`]);
  });

  it("pings the inbox's role when its inbox is added or changed, and nobody when it is deleted", async () => {
    const w = await world();
    const [added] = await push(w, { subject: "note for the builder", files: { "machine-docs/BUILDER-INBOX.md": "please look at gate 3\n" } });
    await waitFor(() => w.agents.received(w.builder).length === 1, "the inbox ping");
    expect(w.agents.received(w.builder)).toEqual([`[cc-ci-bot] cc-ci: inbox machine-docs/BUILDER-INBOX.md updated at ${short(added!)}`]);
    await push(w, { subject: "consumed", files: { "machine-docs/BUILDER-INBOX.md": null } });
    await settle(w);
    expect(w.agents.received(w.builder)).toHaveLength(1);
    expect(w.agents.received(w.adversary)).toEqual([]);
  });

  it("raises an alert on a force-push, pings the commits it lists once as new ones and nothing rewritten away, and pings later pushes normally", async () => {
    const w = await world({ orchestrator: true });
    await push(w, { subject: "claim(gate-1): first" });
    await waitFor(() => w.agents.received(w.adversary).length === 1, "the first ping");
    const before = w.repo.head();
    const rewritten = w.repo.rewrite(1, { subject: "claim(gate-1): first, rewritten" }, { subject: "review(gate-1): PASS" });
    w.repo.push(true);
    const [sent] = await w.emu.push(REPO, { ref: "refs/heads/main", before, after: w.repo.head(), commits: rewritten, pusher: "agent" });
    expect(sent?.status).toBe(202);
    await waitFor(() => w.agents.received(w.orchestrator).length === 1, "the orchestrator to hear of it");
    await settle(w);
    expect(w.agents.received(w.orchestrator)[0]).toMatch(/^\[cc-ci-bot\] alert: force-push on ops\/cc-ci main: [0-9a-f]{7} is not an ancestor of [0-9a-f]{7}/);
    const alerts = (await (await fetch(`${w.bot.url}/api/alerts`)).json()) as { alerts: Array<{ kind: string }> };
    expect(alerts.alerts.map((a) => a.kind)).toEqual(["force-push"]);
    expect(await (await fetch(`${w.bot.url}/metrics`)).text()).toContain('ccci_alerts_total{kind="force-push"} 1');
    // The push starts at the recorded head and its payload lists both new commits: a force push
    // cannot be told from that (src/loops/listed.ts), so they are pinged as new commits, once
    // each; the original claim is not pinged again.
    expect(w.agents.received(w.adversary)).toEqual([
      `[cc-ci-bot] cc-ci: ${before.slice(0, 7)} claim(gate-1): first`,
      `[cc-ci-bot] cc-ci: ${short(rewritten[0]!)} claim(gate-1): first, rewritten`,
    ]);
    expect(w.agents.received(w.builder)).toEqual([`[cc-ci-bot] cc-ci: ${short(rewritten[1]!)} review(gate-1): PASS`]);

    const [next] = await push(w, { subject: "claim(gate-2): after the rewrite" });
    await waitFor(() => w.agents.received(w.adversary).length === 3, "the next ping");
    expect(w.agents.received(w.adversary)[2]).toBe(`[cc-ci-bot] cc-ci: ${short(next!)} claim(gate-2): after the rewrite`);
  });

  it("turns a hostile commit subject into one sanitised, capped line that executes nothing", async () => {
    const w = await world();
    const marker = `${w.dir}/pwned`;
    const subject = `claim(gate-x): \x1b[31mred\x1b[0m\rEnter C-c $(touch ${marker}) ${"y".repeat(10_000)}`;
    const [c] = await push(w, { subject });
    await waitFor(() => w.agents.received(w.adversary).length === 1, "the ping");
    await settle(w);
    const [got] = w.agents.received(w.adversary);
    expect(got!.startsWith(`[cc-ci-bot] cc-ci: ${short(c!)} claim(gate-x): red Enter C-c $(touch ${marker}) yyy`)).toBe(true);
    expect(got!.length).toBeLessThanOrEqual(600);
    expect(got).not.toMatch(/[\x00-\x1f\x7f]/);
    expect(existsSync(marker)).toBe(false);
    expect(w.agents.received(w.adversary)).toHaveLength(1);
  });

  it("shows the loop, its phase and recent pings at /api/loops and counts pings in /metrics", async () => {
    const w = await world({ phases: PHASES });
    await push(w, { subject: "claim(gate-1): x" });
    await waitFor(() => w.agents.received(w.adversary).length === 1, "the ping");
    await settle(w);
    const body = (await (await fetch(`${w.bot.url}/api/loops`)).json()) as { loops: Array<Record<string, unknown>> };
    expect(body.loops[0]).toMatchObject({ name: "cc-ci", repo: REPO, head: w.repo.head(), phase: { index: 0, id: "2w", of: 2, complete: false } });
    expect((body.loops[0]!.pings as Array<{ role: string; state: string }>)[0]).toMatchObject({ role: "adversary", state: "delivered" });
    const metrics = await (await fetch(`${w.bot.url}/metrics`)).text();
    expect(metrics).toContain('ccci_pings_total{role="adversary",outcome="delivered"} 1');
    expect(metrics).toMatch(/ccci_ping_latency_seconds_count 1/);
  });
});

describe("phase sequence", () => {
  const kickoffOf = (id: string, plan: string, n: string) =>
    `Phase ${id} of loop cc-ci: follow the plan in ${plan}. State files: status machine-docs/STATUS-${n}.md, backlog machine-docs/BACKLOG-${n}.md, review machine-docs/REVIEW-${n}.md, journal machine-docs/JOURNAL-${n}.md.`;

  it("advances on DONE (read at the pushed head), not on DONE then VETO, once, and completes after the last phase", async () => {
    const w = await world({ phases: PHASES });
    await push(w, { subject: "status: done, then vetoed", files: { "machine-docs/STATUS-2w.md": "# 2w\n## DONE\nall gates\n## VETO\nnot yet\n" } });
    await settle(w);
    expect((await w.bot.phases.state(w.bot.config.loops[0]!)).index).toBe(0);

    await push(w, { subject: "status: done", files: { "machine-docs/STATUS-2w.md": "# 2w\n## VETO\nold\n## DONE\n" } });
    const kickoff = kickoffOf("3", "plan-phase3.md", "3");
    await waitFor(() => w.agents.received(w.builder).includes(kickoff) && w.agents.received(w.adversary).includes(kickoff), "both sessions to restart with the next phase's kickoff");
    expect(await w.bot.phases.state(w.bot.config.loops[0]!)).toEqual({ index: 1, complete: false });

    // DONE for the finished phase again: no second advance.
    await push(w, { subject: "status: touch", files: { "machine-docs/STATUS-2w.md": "# 2w\n## DONE\nagain\n" } });
    await settle(w);
    expect(await w.bot.phases.state(w.bot.config.loops[0]!)).toEqual({ index: 1, complete: false });
    expect(w.agents.received(w.builder).filter((l) => l === kickoff)).toHaveLength(1);

    await push(w, { subject: "status: 3 done", files: { "machine-docs/STATUS-3.md": "## DONE\n" } });
    await waitFor(async () => (await w.bot.phases.state(w.bot.config.loops[0]!)).complete, "the sequence to complete");
    await waitFor(async () => !(await w.agents.tmux.hasSession(w.builder)) && !(await w.agents.tmux.hasSession(w.adversary)), "the loop sessions to stop");
    const transitions = await w.bot.store.loops.transitions("cc-ci", 10);
    expect(transitions.map((t) => [t.fromPhase, t.toPhase])).toEqual([
      ["3", null],
      ["2w", "3"],
    ]);
    await push(w, { subject: "status: 3 done again", files: { "machine-docs/STATUS-3.md": "## DONE\nagain\n" } });
    await settle(w);
    expect(await w.bot.store.loops.transitions("cc-ci", 10)).toHaveLength(2);
  });
});
