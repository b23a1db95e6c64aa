import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.ts";
import { GiteaEmulator, type Flavour } from "../../src/emulator/index.ts";
import type { Fault } from "../../src/emulator/state.ts";
import type { DeliverySummary } from "../../src/store/deliveries.ts";
import { startTestBot, TEST_SECRET, TEST_TOKEN, type TestBot } from "../support/bot.ts";
import { replyText } from "../support/replies.ts";
import { waitFor } from "../support/wait.ts";

const RUNNER = new URL("../support/runner.mjs", import.meta.url).pathname;
const NC = "recipes/nextcloud";
const MINUTE = 60_000;

/**
 * Gitea answering 500 while `!testme` comes in (docs/design.md#outages-and-restarts: an outage delays, it never loses).
 * The bot runs on a hand-driven clock: hours of outage pass in a few steps, and the delivery
 * must still be waiting — no attempt spent, no dead letter — and be handled once Gitea is back.
 */
interface World {
  emu: GiteaEmulator;
  bot: TestBot;
  clock: ManualClock;
}
let worlds: World[] = [];
afterEach(async () => {
  for (const w of worlds) {
    await w.bot.dispose();
    await w.emu.close();
  }
  worlds = [];
});

async function world(flavour: Flavour, trust: Record<string, unknown>): Promise<World> {
  const emu = await new GiteaEmulator({ flavour }).start();
  emu.state.addUser("ci-bot", TEST_TOKEN);
  emu.state.addOrg("recipes", ["alice", "ci-bot"]);
  emu.state.addRepo(NC);
  const clock = new ManualClock(Date.now());
  const bot = await startTestBot({
    clock,
    overrides: {
      gitea: { url: emu.url, botUser: "ci-bot" },
      dispatcher: { maxAttempts: 3, backoffMs: 5 },
      testme: { repos: ["recipes/*"], trust, runner: { command: [process.execPath, RUNNER, "by-ref"], graceSeconds: 0.2 } },
    },
  });
  emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
  const w = { emu, bot, clock };
  worlds.push(w);
  return w;
}

async function delivery(w: World, id: string): Promise<DeliverySummary> {
  const r = await fetch(`${w.bot.url}/api/deliveries`);
  const { deliveries } = (await r.json()) as { deliveries: DeliverySummary[] };
  return deliveries.find((d) => d.id === id)!;
}

/** Lets `minutes` of outage pass, and waits until the bot has asked Gitea again. */
async function pass(w: World, minutes: number, fault: Fault) {
  // The last look has recorded when to look again (by the clock as it was) before time moves.
  await w.bot.dispatcher.idle();
  const calls = w.emu.state.calls.filter((c) => fault.path.test(c.path)).length;
  w.clock.advance(minutes * MINUTE);
  w.bot.dispatcher.wake();
  await waitFor(() => w.emu.state.calls.filter((c) => fault.path.test(c.path)).length > calls, "the bot to ask Gitea again");
}

const botReplies = (w: World, n: number) => w.emu.state.commentsOn(NC, n).filter((c) => c.author.login === "ci-bot").map((c) => replyText(c.body));

describe("a Gitea outage delays !testme, it never loses it", () => {
  it("waits for Gitea without spending attempts, shows it, and runs once Gitea answers (1.15: the PR is fetched for its head)", async () => {
    const w = await world("gitea-1.15", { users: ["alice"] });
    const fault: Fault = { method: "GET", path: /\/pulls\/\d+$/, status: 500, times: 1_000_000 };
    w.emu.state.faults.push(fault);
    const { pull } = await w.emu.openPull(NC, { author: "alice", headRef: "pass-1", headSha: "e".repeat(40) });
    const { deliveries } = await w.emu.comment(NC, pull.number, "alice", "!testme");
    const id = deliveries[0]!.id;
    await waitFor(async () => (await delivery(w, id)).waitingFor === "Gitea", "the delivery to wait for Gitea");

    for (let i = 0; i < 6; i++) await pass(w, 20, fault); // two hours of outage
    expect(await delivery(w, id)).toMatchObject({ state: "pending", attempts: 0, waitingFor: "Gitea", lastError: expect.stringContaining("HTTP 500") });
    expect(await (await fetch(`${w.bot.url}/`)).text()).toContain("waiting for Gitea");
    expect(w.emu.state.statusesOf(NC, pull.headSha)).toEqual([]);

    await w.bot.dispatcher.idle();
    fault.times = 0;
    w.clock.advance(20 * MINUTE);
    w.bot.dispatcher.wake();
    await waitFor(() => w.emu.state.latestStatus(NC, pull.headSha, "cc-ci/testme")?.state === "success", "the run once Gitea is back");
    await waitFor(async () => (await delivery(w, id)).state === "done", "the delivery to be done");
    expect(await delivery(w, id)).toMatchObject({ attempts: 1, waitingFor: null, waitingSince: null });
    expect(await w.bot.store.runs.forPr(NC, pull.number, 5)).toHaveLength(1);
  });

  it("retries a permission check Gitea cannot answer, and after trustWaitMinutes refuses with a reply saying a re-comment retries", async () => {
    const w = await world("gitea-modern", { orgs: ["recipes"] });
    const fault: Fault = { path: /\/orgs\/recipes\/members\//, status: 502, times: 1_000_000 };
    w.emu.state.faults.push(fault);
    const { pull } = await w.emu.openPull(NC, { author: "alice", headRef: "pass-2", headSha: "f".repeat(40) });
    const { deliveries } = await w.emu.comment(NC, pull.number, "alice", "!testme");
    const id = deliveries[0]!.id;
    await waitFor(async () => (await delivery(w, id)).waitingFor === "Gitea", "the delivery to wait for Gitea");

    await pass(w, 29, fault);
    expect(botReplies(w, pull.number)).toEqual([]);
    await pass(w, 2, fault);
    await waitFor(async () => (await delivery(w, id)).state === "done", "the refusal");
    await w.bot.outbox.idle();
    await waitFor(() => botReplies(w, pull.number).length === 1, "the reply");
    expect(botReplies(w, pull.number)).toEqual([
      "@alice I could not check your permission to run tests (the forge did not answer for 31m), so nothing was started. Comment `!testme` again to retry.",
    ]);
    expect(await w.bot.store.runs.forPr(NC, pull.number, 5)).toEqual([]);

    // As the reply says: Gitea is back, a new comment runs.
    fault.times = 0;
    await w.emu.comment(NC, pull.number, "alice", "!testme");
    await waitFor(() => w.emu.state.latestStatus(NC, pull.headSha, "cc-ci/testme")?.state === "success", "the run after the re-comment");
  });
});
