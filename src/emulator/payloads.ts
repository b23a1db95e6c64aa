// Webhook payloads with the field set a real Gitea sends (checked against the 1.15.11
// captures in test/emulator-fixtures.test.ts). `modern` adds what 1.23+ sends on top.

import type { EmuComment, EmuCommit, EmuPull, EmuRepo, EmuUser } from "./entities.ts";
import { commentJson, commitJson, issueJson, pullJson, repoJson, userJson } from "./api-json.ts";

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
  modern: boolean;
}

export function issueCommentPayload(base: string, i: CommentPayloadInput) {
  const pull = "merged" in i.issue ? i.issue : null;
  return {
    action: i.action,
    issue: issueJson(base, i.repo, i.issue, i.comments),
    // Gitea 1.23+ includes the PR (with its head SHA) in PR comment payloads.
    ...(i.modern && pull ? { pull_request: pullJson(base, i.repo, pull, i.openPrs, i.comments) } : {}),
    comment: commentJson(base, i.repo, i.comment),
    ...(i.action === "edited" ? { changes: { body: { from: i.previousBody ?? "" } } } : {}),
    repository: repoJson(base, i.repo, i.openPrs),
    sender: userJson(base, i.sender),
    is_pull: pull !== null,
  };
}

export function pullRequestPayload(base: string, action: string, repo: EmuRepo, pull: EmuPull, sender: EmuUser, openPrs: number, comments: number, changes?: unknown) {
  return {
    action,
    number: pull.number,
    ...(changes === undefined ? {} : { changes }),
    pull_request: pullJson(base, repo, pull, openPrs, comments),
    repository: repoJson(base, repo, openPrs),
    sender: userJson(base, sender),
    review: null,
  };
}

/** Gitea lists at most FEED_MAX_COMMIT_NUM (5) commits, newest first; total_commits counts all. */
export const FEED_MAX_COMMIT_NUM = 5;

export interface PushPayloadInput {
  repo: EmuRepo;
  ref: string;
  before: string;
  after: string;
  commitsOldestFirst: EmuCommit[];
  pusher: EmuUser;
  openPrs: number;
  modern: boolean;
  /** A tag push lists no commits but names the tagged commit here. */
  headCommit?: EmuCommit;
}

export function pushPayload(base: string, i: PushPayloadInput) {
  const { repo, ref, before, after, commitsOldestFirst, pusher, openPrs } = i;
  const listed = commitsOldestFirst.slice(-FEED_MAX_COMMIT_NUM).reverse().map((c) => commitJson(base, repo, c, pusher));
  return {
    ref,
    before,
    after,
    compare_url: `${base}/${repo.owner.login}/${repo.name}/compare/${before}...${after}`,
    commits: listed,
    // total_commits arrived after 1.15 (the 1.15.11 captures do not have it).
    ...(i.modern ? { total_commits: commitsOldestFirst.length } : {}),
    head_commit: i.headCommit ? commitJson(base, repo, i.headCommit, pusher) : (listed[0] ?? null),
    repository: repoJson(base, repo, openPrs),
    pusher: userJson(base, pusher),
    sender: userJson(base, pusher),
  };
}

/** A branch or tag deleted: Gitea sends `delete` (ref without refs/heads/) and no push. */
export function deletePayload(base: string, repo: EmuRepo, ref: string, refType: "branch" | "tag", sender: EmuUser, openPrs: number) {
  return { ref, ref_type: refType, pusher_type: "user", repository: repoJson(base, repo, openPrs), sender: userJson(base, sender) };
}
