import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GiteaEmulator, type Flavour } from "../../src/emulator/index.ts";
import { waitFor } from "../support/wait.ts";
import { Recorder, type Recorded } from "../support/webhook-recorder.ts";
import { freePort } from "../support/free-port.ts";
import { headerNames, shapeDiff, shapeOf } from "../support/shape.ts";
import { World } from "./support/world.ts";

// The emulator checked against the real server (docs/design.md#gitea-facts: where they differ, the emulator is
// wrong). The same user actions on both; every delivery and every API answer the bot reads
// must have the same header names, field paths and JSON types. A difference names its path.
const w = new World();
const R = "recipe-shape";
const real = new Recorder();
const emulated = new Recorder();
let emu: GiteaEmulator;
const EMU_TOKEN = "emulator-token-0123456789";

type Answer = { status: number; json: unknown };
const realDeliveries = new Map<string, Recorded>();
const emuDeliveries = new Map<string, Recorded>();
const realAnswers = new Map<string, Answer>();
const emuAnswers = new Map<string, Answer>();

async function call(base: string, auth: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    redirect: "manual",
    headers: { authorization: auth, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : null };
}

function flavourOf(version: string): Flavour {
  if (/\+gitea-|forgejo/i.test(version) || Number(version.split(".")[0]) >= 7) return "forgejo";
  return /^1\.15\./.test(version) ? "gitea-1.15" : "gitea-modern";
}

beforeAll(async () => {
  await w.create({ recipes: [R] });
  await real.listen(w.port);
  const u = w.users;

  // The real forge: a push, a PR opened, a push to it, a comment created and edited.
  const clone = w.clone(R);
  const mark = () => real.got.length;
  let from = mark();
  const pushed = clone.commit("a change on main", { "added.txt": "a\n" });
  clone.push();
  realDeliveries.set("push", await waitFor(() => real.find("push", undefined, from), "the real push delivery"));
  clone.git("checkout", "--quiet", "-b", "feature");
  const headSha = clone.commit("feature work", { "feature.txt": "f\n" });
  clone.push("feature");
  from = mark();
  const pr = await w.as("maintainer").createPull(w.repo(R), "feature", "A feature");
  realDeliveries.set("pull_request.opened", await waitFor(() => real.find("pull_request", "opened", from), "the real PR opened delivery"));
  from = mark();
  const nextSha = clone.commit("more feature work", { "feature.txt": "g\n" });
  clone.push("feature");
  realDeliveries.set("pull_request.synchronized", await waitFor(() => real.find("pull_request", "synchronized", from), "the real PR synchronized delivery"));
  from = mark();
  const c = await w.as("maintainer").comment(w.repo(R), pr.number, "hello");
  realDeliveries.set("issue_comment.created", await waitFor(() => real.find("issue_comment", "created", from), "the real comment delivery"));
  from = mark();
  await w.as("maintainer").call("PATCH", `/repos/${w.repo(R)}/issues/comments/${c.id}`, { body: "hello, edited" });
  realDeliveries.set("issue_comment.edited", await waitFor(() => real.find("issue_comment", "edited", from), "the real comment edited delivery"));

  // The emulator, the same story.
  emu = await new GiteaEmulator({ flavour: flavourOf(w.gitea.version) }).start();
  const full = w.repo(R);
  emu.state.addUser(u.bot.user, EMU_TOKEN);
  emu.state.addOrg(w.org, [u.member.user, u.bot.user]);
  emu.state.addRepo(full, { [u.maintainer.user]: "write", [u.bot.user]: "write" });
  for (const x of [u.stranger.user]) emu.state.addUser(x);
  await emulated.listen(await freePort());
  emu.addHook(`http://127.0.0.1:${(emulated as unknown as { server: { address(): { port: number } } }).server.address().port}/webhook`, w.secret);
  await emu.push(full, { ref: "refs/heads/main", before: "1".repeat(40), after: pushed, commits: [{ sha: pushed, message: "a change on main\n", added: ["added.txt"], removed: [], modified: [], timestamp: new Date().toISOString() }], pusher: u.maintainer.user });
  emuDeliveries.set("push", emulated.find("push")!);
  const opened = await emu.openPull(full, { author: u.maintainer.user, headRef: "feature", headSha, title: "A feature" });
  emuDeliveries.set("pull_request.opened", emulated.find("pull_request", "opened")!);
  await emu.pushToPull(full, opened.pull.number, nextSha);
  emuDeliveries.set("pull_request.synchronized", emulated.find("pull_request", "synchronized")!);
  const ec = await emu.comment(full, opened.pull.number, u.maintainer.user, "hello");
  emuDeliveries.set("issue_comment.created", emulated.find("issue_comment", "created")!);
  await emu.editComment(full, ec.comment.id, "hello, edited");
  emuDeliveries.set("issue_comment.edited", emulated.find("issue_comment", "edited")!);

  // The API calls the bot makes, as the bot (token auth), on both.
  // The bot's own comment on each side (it edits only its own).
  const own = (answers: Map<string, Answer>) => (answers.get("comment created")?.json as { id?: number } | undefined)?.id ?? 0;
  const both = async (name: string, method: string, path: (n: number, sha: string, comment: number, own: number) => string, body?: unknown) => {
    realAnswers.set(name, await call(w.gitea.url, `token ${w.botToken}`, method, path(pr.number, nextSha, c.id, own(realAnswers)), body));
    emuAnswers.set(name, await call(emu.url, `token ${EMU_TOKEN}`, method, path(opened.pull.number, nextSha, ec.comment.id, own(emuAnswers)), body));
  };
  await both("current user", "GET", () => "/user");
  await both("PR", "GET", (n) => `/repos/${full}/pulls/${n}`);
  await both("open PRs", "GET", () => `/repos/${full}/pulls?state=open&page=1&limit=50`);
  await both("comments", "GET", (n) => `/repos/${full}/issues/${n}/comments`);
  await both("comment created", "POST", (n) => `/repos/${full}/issues/${n}/comments`, { body: "from the bot" });
  await both("comment edited", "PATCH", (_n, _s, _c, mine) => `/repos/${full}/issues/comments/${mine}`, { body: "edited by the bot" });
  await both("someone else's comment edited", "PATCH", (_n, _s, theirs) => `/repos/${full}/issues/comments/${theirs}`, { body: "edited by the bot" });
  await both("reaction", "POST", (_n, _s, id) => `/repos/${full}/issues/comments/${id}/reactions`, { content: "eyes" });
  await both("status created", "POST", (_n, sha) => `/repos/${full}/statuses/${sha}`, { state: "pending", context: "cc-ci/testme", description: "queued", target_url: "http://127.0.0.1:1/runs/1" });
  await both("combined status", "GET", (_n, sha) => `/repos/${full}/commits/${sha}/status`);
  await both("org member", "GET", () => `/orgs/${w.org}/members/${u.member.user}`);
  await both("not an org member", "GET", () => `/orgs/${w.org}/members/${u.stranger.user}`);
  await both("collaborator", "GET", () => `/repos/${full}/collaborators/${u.maintainer.user}`);
  await both("not a collaborator", "GET", () => `/repos/${full}/collaborators/${u.stranger.user}`);
  await both("permission", "GET", () => `/repos/${full}/collaborators/${u.maintainer.user}/permission`);
  await both("org repos", "GET", () => `/orgs/${w.org}/repos?page=1&limit=50`);
  // What a sweep reads and writes: a repo's default branch and its head, a user's repos, the report issue.
  await both("repo", "GET", () => `/repos/${full}`);
  await both("branch", "GET", () => `/repos/${full}/branches/main`);
  await both("user repos", "GET", () => `/users/${u.bot.user}/repos?page=1&limit=50`);
  await both("org repos of a user", "GET", () => `/orgs/${u.bot.user}/repos?page=1&limit=50`);
  await both("issue created", "POST", () => `/repos/${full}/issues`, { title: "Sweep report", body: "all green" });
  // Asked by someone outside the org (a bot not added to it): a redirect, not an answer.
  const basic = `Basic ${Buffer.from(`${u.stranger.user}:${u.stranger.password}`).toString("base64")}`;
  emu.state.addUser(u.stranger.user, "stranger-token-0123456789");
  realAnswers.set("org member asked by an outsider", await call(w.gitea.url, basic, "GET", `/orgs/${w.org}/members/${u.member.user}`));
  emuAnswers.set("org member asked by an outsider", await call(emu.url, "token stranger-token-0123456789", "GET", `/orgs/${w.org}/members/${u.member.user}`));
});
afterAll(async () => {
  await real.close();
  await emulated.close();
  await emu?.close();
  await w.close();
});

describe(`the emulator matches the real Gitea`, () => {
  it.each(["push", "pull_request.opened", "pull_request.synchronized", "issue_comment.created", "issue_comment.edited"])("delivery %s: header names and body shape", (name) => {
    const r = realDeliveries.get(name)!;
    const e = emuDeliveries.get(name);
    expect(e, `the emulator sent no ${name}`).toBeDefined();
    expect(headerNames(e!.headers)).toEqual(headerNames(r.headers));
    expect(shapeDiff(shapeOf(r.body), shapeOf(e!.body)).join("\n")).toBe("");
  });

  it.each([
    "current user",
    "PR",
    "open PRs",
    "comments",
    "comment created",
    "comment edited",
    "someone else's comment edited",
    "reaction",
    "status created",
    "combined status",
    "org member",
    "not an org member",
    "collaborator",
    "not a collaborator",
    "permission",
    "org repos",
    "org member asked by an outsider",
    "repo",
    "branch",
    "user repos",
    "org repos of a user",
    "issue created",
  ])("API answer %s: status and shape", (name) => {
    const r = realAnswers.get(name)!;
    const e = emuAnswers.get(name)!;
    expect(e.status, `${name}: status`).toBe(r.status);
    expect(shapeDiff(shapeOf(r.json), shapeOf(e.json)).join("\n")).toBe("");
  });
});
