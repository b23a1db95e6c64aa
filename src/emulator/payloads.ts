// Webhook payloads with the field set a real Gitea sends (checked against the 1.15.11
// captures in test/emulator/recorded-conformance.test.ts). What the newer flavours send on top is in the
// tables of flavour-fields.ts.

import type { EmuComment, EmuCommit, EmuPull, EmuRepo, EmuUser } from "./entities.ts";
import { commentJson, commitJson, issueJson, pullJson, repoJson, userJson } from "./api-json.ts";
import { changesReshape, FACTS, pullPayloadReshape, reshape, type Json } from "./flavour-fields.ts";
import type { Flavour } from "./flavour.ts";

/** A plain issue as the payloads need it (a PR is an EmuPull). */
export type EmuPlainIssue = Omit<EmuPull, "headRef" | "headSha" | "baseRef" | "baseSha" | "merged">;

export interface CommentPayloadInput {
  action: "created" | "edited" | "deleted";
  repo: EmuRepo;
  /** The PR or the plain issue the comment is on. */
  issue: EmuPull | EmuPlainIssue;
  comment: EmuComment;
  sender: EmuUser;
  openPrs: number;
  comments: number;
  previousBody?: string;
  flavour: Flavour;
}

export function issueCommentPayload(base: string, i: CommentPayloadInput) {
  const f = i.flavour;
  const pull = "merged" in i.issue ? i.issue : null;
  return {
    action: i.action,
    issue: issueJson(base, i.repo, i.issue, i.comments, f),
    // Newer servers include the PR (with its head SHA) in PR comment payloads.
    ...(FACTS[f].commentCarriesPull && pull ? { pull_request: pullJson(base, i.repo, pull, i.openPrs, i.comments, f) } : {}),
    comment: commentJson(base, i.repo, i.comment, f),
    ...(i.action === "edited" ? { changes: changesJson(f, { body: { from: i.previousBody ?? "" } }) } : {}),
    repository: repoJson(base, i.repo, i.openPrs, f),
    sender: userJson(base, i.sender, f),
    is_pull: pull !== null,
  };
}

export function pullRequestPayload(base: string, flavour: Flavour, action: string, repo: EmuRepo, pull: EmuPull, sender: EmuUser, openPrs: number, comments: number, changes?: Json) {
  const payload = {
    action,
    number: pull.number,
    ...(changes === undefined ? {} : { changes: changesJson(flavour, changes) }),
    pull_request: pullJson(base, repo, pull, openPrs, comments, flavour),
    repository: repoJson(base, repo, openPrs, flavour),
    sender: userJson(base, sender, flavour),
    review: null,
  };
  return reshape(payload, pullPayloadReshape(flavour));
}

function changesJson(flavour: Flavour, changes: Json): Json {
  return reshape(changes, changesReshape(flavour, changes));
}

/** A new branch's push considers its head and at most 9 ancestors (`CommitsBeforeLimit(10)`). */
const NEW_BRANCH_COMMITS = 10;

export interface PushPayloadInput {
  repo: EmuRepo;
  ref: string;
  before: string;
  after: string;
  commitsOldestFirst: EmuCommit[];
  pusher: EmuUser;
  openPrs: number;
  flavour: Flavour;
  /** A tag push lists no commits but names the tagged commit here. */
  headCommit?: EmuCommit;
}

export function pushPayload(base: string, i: PushPayloadInput) {
  const { repo, ref, before, after, pusher, openPrs, flavour: f } = i;
  const newBranch = FACTS[f].newBranchFromDefault && /^0+$/.test(before) && ref.startsWith("refs/heads/");
  // The emulator knows only the commits it is given: for a new branch the caller passes the ancestors it wants listed.
  const commits = newBranch ? i.commitsOldestFirst.slice(-NEW_BRANCH_COMMITS) : i.commitsOldestFirst;
  // Newest first, at most the flavour's limit.
  const listed = commits.slice(-FACTS[f].pushCommitLimit).reverse().map((c) => commitJson(base, repo, c, pusher));
  return {
    ref,
    before,
    after,
    compare_url: compareUrl(base, repo, ref, newBranch ? undefined : before, after),
    commits: listed,
    // total_commits counts before the listing limit.
    ...(FACTS[f].totalCommits ? { total_commits: commits.length } : {}),
    head_commit: i.headCommit ? commitJson(base, repo, i.headCommit, pusher) : (listed[0] ?? null),
    repository: repoJson(base, repo, openPrs, f),
    pusher: userJson(base, pusher, f),
    sender: userJson(base, pusher, f),
  };
}

/**
 * `compare/<before>...<after>`; for a new branch (`before` undefined) newer servers compare from the
 * oldest listed commit's parent, else from the default branch. The emulator knows no parents, so
 * it always takes the default branch (what a branch off a fresh repository gets), and like the
 * servers gives "" when the new branch is the default one.
 */
function compareUrl(base: string, repo: EmuRepo, ref: string, before: string | undefined, after: string): string {
  const from = before ?? (ref === `refs/heads/${repo.defaultBranch}` ? undefined : repo.defaultBranch);
  return from === undefined ? "" : `${base}/${repo.owner.login}/${repo.name}/compare/${from}...${after}`;
}

/** A branch or tag deleted: Gitea sends `delete` (ref without refs/heads/) and no push. */
export function deletePayload(base: string, flavour: Flavour, repo: EmuRepo, ref: string, refType: "branch" | "tag", sender: EmuUser, openPrs: number) {
  return { ref, ref_type: refType, pusher_type: "user", repository: repoJson(base, repo, openPrs, flavour), sender: userJson(base, sender, flavour) };
}
