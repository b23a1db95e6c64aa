import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GiteaEmulator } from "../../src/emulator/index.ts";
import { startTestBot, tempDir, type TestBot } from "../support/bot.ts";
import { postRaw } from "../support/post.ts";
import { ORG, recordedWorld, REPO, stage } from "../support/recorded-world.ts";
import { recordings, type RecordedDelivery, type Recording } from "../support/recordings.ts";
import { sendableHeaders } from "../support/fixtures.ts";
import { waitFor } from "../support/wait.ts";

// Every recorded delivery through the bot's intake as the bytes were received (the signature
// checked over those bytes), in the recorded order, against an emulator holding the recorded
// world; then what it did is read back at the forge. The bot's account is the one whose
// comment 008 is (gadmin), a member of the trusted org.
const RUNNER = new URL("../support/runner.mjs", import.meta.url).pathname;
const BOT_TOKEN = "recorded-gadmin-token-0123456789";

/** What one delivery left at the forge and in the bot. */
interface Effect {
  http: number;
  state: string;
  error: string | null;
  botComments: number;
  statuses: Array<{ state: string; description: string }>;
  eyes: number;
  runs: number;
}

type Expect = (e: Effect, d: RecordedDelivery) => void;
const nothing: Expect = (e) => {
  expect(e).toMatchObject({ botComments: 0, statuses: [], eyes: 0, runs: 0 });
  expect(e.state).not.toBe("dead");
};
// A push to the loop's branch reaches the relay, which reads the pushed range from its git
// mirror. The recorded commits exist only on the server that was recorded, so the relay must
// say which commit it lacks and park the delivery (never call it a force-push, never ping).
const relayLacksCommit: Expect = (e, d) => {
  expect(e.state).toBe("dead");
  expect(e.error).toContain(`has no commit ${String(d.body.after)}`);
  expect(e).toMatchObject({ botComments: 0, statuses: [], eyes: 0 });
};

const EFFECTS: Record<string, Expect> = {
  "001-push": nothing, // a branch created (not the loop's branch)
  "002-pull_request-opened": nothing,
  "003-push": relayLacksCommit, // claim + review on main
  "004-issue_comment-created": (e) => {
    // !testme by an org member: eyes, a pending status at once, a run.
    expect(e).toMatchObject({ eyes: 1, runs: 1 });
    expect(e.statuses.map((s) => s.state)).toContain("pending");
  },
  "005-issue_comment-edited": nothing,
  "006-push": nothing, // a push to the PR's branch
  "007-pull_request-synchronized": (e) => {
    // The PR head moved: the run of the old head is cancelled and its status says so.
    expect(e.statuses.at(-1)).toMatchObject({ state: "error" });
    expect(e.statuses.at(-1)!.description).toContain("superseded");
  },
  "008-issue_comment-created": nothing, // the bot's own comment
  "009-issue_comment-created": (e) => expect(e.botComments).toBe(1), // /help in a plain issue: the help
  "010-issue_comment-deleted": nothing,
  "011-pull_request-edited": nothing,
  "012-pull_request-closed": nothing,
  "013-pull_request-reopened": nothing,
  "014-pull_request-closed": nothing, // merged
  "015-push": relayLacksCommit, // the merge on main
  "016-delete": (e) => expect(e).toMatchObject({ state: "ignored", botComments: 0, statuses: [], runs: 0 }),
  "017-push": nothing, // a tag
  "018-push": nothing, // a force push to a PR branch, not the loop's
  "019-pull_request-synchronized": nothing, // no run in flight for that PR
  "020-push": relayLacksCommit, // 25 commits on main
};

describe.each(recordings().map((r) => [r.name, r] as const))("%s", (_name, rec) => {
  const effects = new Map<string, Effect>();
  let emu: GiteaEmulator;
  let bot: TestBot;
  beforeAll(async () => {
    emu = await recordedWorld(rec);
    emu.state.addUser("gadmin", BOT_TOKEN);
    emu.state.addOrg(ORG, ["gadmin"]);
    bot = await startTestBot({
      overrides: {
        gitea: { url: emu.url, token: BOT_TOKEN, botUser: "gadmin" },
        webhook: { secrets: [rec.meta.secret] },
        testme: { repos: [`${ORG}/*`], trust: { orgs: [ORG] }, runner: { command: [process.execPath, RUNNER, "hang"], graceSeconds: 0.2 } },
        loops: [{ name: "demo", repo: REPO, branch: "main", cloneUrl: emptyRepo() }],
      },
    });
    for (const d of rec.deliveries) effects.set(d.name, await replay(emu, bot, d));
  }, 120_000);
  afterAll(async () => {
    await bot?.dispose();
    await emu?.close();
  });

  it.each(rec.deliveries.map((d) => [d.name, d] as const))(`${rec.meta.source} delivery %s replayed`, (name, d) => {
    const e = effects.get(name)!;
    expect(e.http, "answer to the recorded bytes").toBe(202);
    const expected = EFFECTS[name];
    expect(expected, `no expected effect written for ${name}`).toBeDefined();
    expected!(e, d);
  });

  it("refuses the recorded bytes changed by one byte", async () => {
    const d = rec.deliveries[0]!;
    const bytes = Buffer.from(d.bytes);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 2) ^ 1, bytes.length - 2);
    const res = await postRaw(bot.url, { ...sendableHeaders(d.headers), "x-gitea-delivery": "tampered-0001" }, bytes);
    expect(res.status).toBe(401);
  });
});

/** Posts the recorded bytes with the recorded headers, waits until the bot is done with them, and reads what changed. */
async function replay(emu: GiteaEmulator, bot: TestBot, d: RecordedDelivery): Promise<Effect> {
  stage(emu, d);
  const before = await snapshot(emu, bot);
  const res = await postRaw(bot.url, sendableHeaders(d.headers), d.bytes);
  const id = d.headers["x-gitea-delivery"]!;
  const done = await waitFor(async () => {
    const r = await fetch(`${bot.url}/api/deliveries/${id}`);
    if (r.status !== 200) return res.status === 202 ? null : { state: "refused", lastError: null };
    const { delivery } = (await r.json()) as { delivery: { state: string; lastError: string | null } };
    return delivery.state === "pending" ? null : delivery;
  }, `delivery ${d.name} handled`);
  // A run of a PR whose head moved ends (superseded) before the next delivery.
  await waitFor(async () => (await bot.store.runs.recent(100)).every((r) => r.state === "finished" || emu.state.repo(r.repo).pulls.get(r.pr)?.headSha === r.sha) || null, "superseded runs ended");
  // Effects that go through the outbox: wait until it is empty again.
  await waitFor(async () => ((await (await fetch(`${bot.url}/api/outbox`)).json()) as { outbox: Array<{ state: string }> }).outbox.every((o) => o.state !== "pending") || null, "the outbox drained");
  const after = await snapshot(emu, bot);
  return {
    http: res.status,
    state: done.state,
    error: done.lastError,
    botComments: after.botComments - before.botComments,
    statuses: after.statuses.slice(before.statuses.length),
    eyes: after.eyes - before.eyes,
    runs: after.runs - before.runs,
  };
}

async function snapshot(emu: GiteaEmulator, bot: TestBot) {
  const repos = [...emu.state.repos.values()];
  return {
    botComments: repos.flatMap((r) => r.comments).filter((c) => c.author.login === "gadmin").length,
    statuses: repos.flatMap((r) => [...r.statuses.values()].flat()).sort((a, b) => a.id - b.id).map((s) => ({ state: s.state, description: s.description })),
    eyes: repos.flatMap((r) => r.reactions).filter((x) => x.user === "gadmin" && x.content === "eyes").length,
    runs: (await bot.store.runs.recent(1000)).length,
  };
}

/** A bare repo with a main branch: the loop's clone URL, which knows none of the recorded commits. */
function emptyRepo(): string {
  const dir = tempDir("ccci-replay-loop-");
  const work = join(dir, "work");
  const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, stdio: "ignore" });
  execFileSync("git", ["init", "--quiet", "--initial-branch=main", work]);
  git(work, "-c", "user.name=t", "-c", "user.email=t@example.test", "commit", "--quiet", "--allow-empty", "-m", "start");
  execFileSync("git", ["clone", "--quiet", "--bare", work, join(dir, "loop.git")]);
  return join(dir, "loop.git");
}

export type { Recording };
