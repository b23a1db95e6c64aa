import { GiteaEmulator, type HookEvent } from "../../src/emulator/index.ts";
import type { EmuCommit } from "../../src/emulator/entities.ts";
import type { RecordedDelivery, RecordedExchange, Recording } from "./recordings.ts";

// The scenario every recording plays (tools/record-gitea): its names are part of it.
export const ORG = "e2e-org";
export const REPO = `${ORG}/demo`;
const ADMIN_PASSWORD = "recorded-admin-password";
export const TOKENS = { bot: "recorded-bot-token-0123456789", member: "recorded-member-token-0123456789" };

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" ? (v as Obj) : {});
const login = (v: unknown): string => String(obj(v).login ?? obj(v).username ?? "gadmin");

/** The Authorization header a recorded request was made with, for the emulator's users. */
export function authFor(as: RecordedExchange["request"]["as"]): Record<string, string> {
  switch (as) {
    case "bot token":
      return { authorization: `Bearer ${TOKENS.bot}` };
    case "org member token":
      return { authorization: `Bearer ${TOKENS.member}` };
    case "admin basic":
      return { authorization: `Basic ${Buffer.from(`gadmin:${ADMIN_PASSWORD}`).toString("base64")}` };
    case "bad token":
      return { authorization: `Bearer ${"0".repeat(40)}` };
    case "none":
      return {};
  }
}

/** An emulator holding the recorded world's users, org, repos, PRs, branches, files and comments, with hooks for `events`. */
export async function recordedWorld(rec: Recording, hookUrl?: string, events: HookEvent[] = ["push", "pull_request", "issue_comment", "delete"]): Promise<GiteaEmulator> {
  const emu = await new GiteaEmulator({ flavour: rec.meta.flavour }).start();
  const s = emu.state;
  s.addUser("gadmin");
  s.passwords.set("gadmin", ADMIN_PASSWORD);
  s.addUser("ci-bot", TOKENS.bot);
  s.addUser("bob", TOKENS.member);
  s.addUser("carol");
  // bob is a private member (team devs), dave a public one.
  s.addOrg(ORG, ["bob"], ["dave"]);
  s.addRepo(REPO, { "ci-bot": "write" });
  for (const name of ["loop", "extra"]) s.addRepo(`${ORG}/${name}`);
  for (const n of [1, 2, 3]) s.addRepo(`dave/tool-${n}`);
  const answer = (name: string) => rec.exchanges.find((x) => x.name.endsWith(name))?.response.body;
  // The open PRs as the recording listed them, oldest first, so that they keep their numbers.
  const pulls = (answer("pulls-open-page1-limit50") as Obj[] | undefined) ?? [];
  for (const p of [...pulls].sort((a, b) => Number(a.number) - Number(b.number))) {
    const head = obj(p.head);
    await emu.openPull(REPO, { author: login(p.user), headRef: String(head.ref), headSha: String(head.sha), title: String(p.title), baseSha: String(obj(p.base).sha) });
  }
  const branch = obj(answer("branch-get"));
  if (branch.name) s.setBranch(REPO, String(obj(branch.commit).id), String(branch.name));
  const byBranch = rec.exchanges.find((x) => x.name.endsWith("status-combined-by-branch"));
  if (byBranch) s.setBranch(REPO, String(obj(byBranch.response.body).sha), byBranch.request.path.split("/").at(-2)!);
  const file = obj(answer("contents-get"));
  if (file.path) s.repo(REPO).files.set(`main:${String(file.path)}`, Buffer.from(String(file.content), "base64").toString("utf8"));
  // The comments the recorded requests name by id (the emulator's own ids go on from 100).
  for (const c of (answer("comments-list") as Obj[] | undefined) ?? []) s.addComment(s.repo(REPO), 1, login(c.user), String(c.body), Number(c.id));
  if (hookUrl) emu.addHook(hookUrl, rec.meta.secret, events);
  return emu;
}

/** Makes the emulator do what the forge did when it sent `d` (same event, action and kind of change). */
export async function emulate(emu: GiteaEmulator, d: RecordedDelivery): Promise<void> {
  const b = d.body;
  const repo = String(obj(b.repository).full_name);
  const s = emu.state;
  if (!s.repos.has(repo.toLowerCase())) s.addRepo(repo);
  const sender = login(b.sender);
  s.addUser(sender);
  if (d.event === "push") {
    const commits = ((b.commits as Obj[]) ?? []).map(commit).reverse();
    const head = b.head_commit ? commit(b.head_commit) : undefined;
    await emu.push(repo, { ref: String(b.ref), before: String(b.before), after: String(b.after), commits, pusher: login(b.pusher), ...(commits.length === 0 && head ? { headCommit: head } : {}) });
  } else if (d.event === "delete") {
    await emu.deleteBranch(repo, String(b.ref), sender);
  } else if (d.event === "pull_request") {
    await pullAction(emu, repo, d.action ?? "", obj(b.pull_request), sender, b);
  } else if (d.event === "issue_comment") {
    await commentAction(emu, repo, d.action ?? "", b, sender);
  } else {
    throw new Error(`no emulated counterpart for a ${d.event} delivery (${d.name})`);
  }
}

function commit(c: unknown): EmuCommit {
  const x = obj(c);
  const list = (k: string) => ((x[k] as string[] | null) ?? []).map(String);
  return { sha: String(x.id), message: String(x.message), added: list("added"), removed: list("removed"), modified: list("modified"), timestamp: String(x.timestamp) };
}

async function pullAction(emu: GiteaEmulator, repo: string, action: string, p: Obj, sender: string, b: Obj): Promise<void> {
  const r = emu.state.repo(repo);
  const number = Number(p.number);
  const head = obj(p.head);
  emu.state.addUser(login(p.user));
  if (action === "opened") {
    await emu.openPull(repo, { author: login(p.user), headRef: String(head.ref), headSha: String(head.sha), title: String(p.title) });
    return;
  }
  let n = [...r.pulls.values()].find((x) => x.headRef === head.ref)?.number;
  if (n === undefined) n = (await emu.openPull(repo, { author: login(p.user), headRef: String(head.ref), headSha: "1".repeat(40), title: String(obj(obj(b.changes).title).from ?? p.title) })).pull.number;
  if (action === "synchronized") await emu.pushToPull(repo, n, String(head.sha), sender);
  else if (action === "edited") await emu.retitlePull(repo, n, String(p.title), sender);
  else if (action === "closed" && p.merged === true) await emu.mergePull(repo, n, login(p.merged_by), String(p.merge_commit_sha));
  else if (action === "closed") await emu.closePull(repo, n, sender);
  else if (action === "reopened") {
    r.pulls.get(n)!.state = "closed";
    await emu.reopenPull(repo, n, sender);
  } else throw new Error(`no emulated counterpart for pull_request ${action} (PR #${number})`);
}

async function commentAction(emu: GiteaEmulator, repo: string, action: string, b: Obj, sender: string): Promise<void> {
  const r = emu.state.repo(repo);
  const issue = obj(b.issue);
  const c = obj(b.comment);
  emu.state.addUser(login(c.user));
  let number: number;
  if (b.is_pull === true) {
    number = r.pulls.size > 0 ? [...r.pulls.keys()][0]! : (await emu.openPull(repo, { author: login(issue.user), headRef: "feature", headSha: "1".repeat(40) })).pull.number;
  } else {
    emu.state.addUser(login(issue.user));
    number = r.issues[0]?.number ?? emu.openIssue(repo, login(issue.user), String(issue.title), String(issue.body));
  }
  if (action === "created") {
    await emu.comment(repo, number, login(c.user), String(c.body));
    return;
  }
  const from = String(obj(obj(b.changes).body).from ?? c.body);
  const stored = emu.state.addComment(r, number, login(c.user), action === "edited" ? from : String(c.body));
  if (action === "edited") await emu.editComment(repo, stored.id, String(c.body));
  else if (action === "deleted") await emu.deleteComment(repo, stored.id, sender);
  else throw new Error(`no emulated counterpart for issue_comment ${action}`);
}

/**
 * Makes the emulator hold what a recorded delivery refers to (its repo, its PR or plain issue
 * by number, its comment by id) without sending anything, so that the bot, reading the forge
 * after the recorded delivery, finds what the real one had.
 */
export function stage(emu: GiteaEmulator, d: RecordedDelivery): void {
  const s = emu.state;
  const repo = String(obj(d.body.repository).full_name);
  if (!s.repos.has(repo.toLowerCase())) s.addRepo(repo);
  const r = s.repo(repo);
  const issue = obj(d.body.issue);
  const number = Number(issue.number ?? d.body.number ?? 0);
  if (number > 0 && !s.hasIssue(r, number)) {
    const p = { ...issue, ...obj(d.body.pull_request) };
    const author = login(p.user);
    s.addUser(author);
    const at = s.timestamp();
    if (d.event === "issue_comment" && d.body.is_pull !== true) r.issues.push({ id: s.id(), number, title: String(p.title), body: String(p.body ?? ""), author, createdAt: at });
    else {
      const [head, base] = [obj(p.head), obj(p.base)];
      const ref = (o: Obj, or: string) => (typeof o.ref === "string" ? o.ref : or);
      const sha = (o: Obj) => (typeof o.sha === "string" ? o.sha : "0".repeat(40));
      r.pulls.set(number, { id: s.id(), number, title: String(p.title), body: String(p.body ?? ""), state: "open", merged: false, author: s.user(author), headRef: ref(head, "feature"), headSha: sha(head), baseRef: ref(base, "main"), baseSha: sha(base), createdAt: at, updatedAt: at });
    }
  }
  // The PR as the delivery shows it (new commits, or the head a newer server puts in a comment payload).
  const pull = r.pulls.get(number);
  const head = obj(obj(d.body.pull_request).head);
  if (pull && typeof head.sha === "string") pull.headSha = head.sha;
  const c = obj(d.body.comment);
  if (d.event === "issue_comment" && d.action === "created" && !r.comments.some((x) => x.id === Number(c.id))) {
    s.addUser(login(c.user));
    s.addComment(r, number, login(c.user), String(c.body), Number(c.id));
  }
}
