// Webhook payloads with the field set a real Gitea sends (checked against the 1.15.11
// captures in test/emulator-fixtures.test.ts). `modern` adds what 1.23+ sends on top.

import type { EmuComment, EmuCommit, EmuPull, EmuRepo, EmuUser } from "./entities.ts";
import { commentJson, commitJson, issueJson, pullJson, repoJson, userJson } from "./api-json.ts";

export interface CommentPayloadInput {
  action: "created" | "edited" | "deleted";
  repo: EmuRepo;
  pull: EmuPull;
  comment: EmuComment;
  sender: EmuUser;
  openPrs: number;
  comments: number;
  previousBody?: string;
  modern: boolean;
}

export function issueCommentPayload(base: string, i: CommentPayloadInput) {
  return {
    action: i.action,
    issue: issueJson(base, i.repo, i.pull, i.comments),
    // Gitea 1.23+ includes the PR (with its head SHA) in PR comment payloads.
    ...(i.modern ? { pull_request: pullJson(base, i.repo, i.pull, i.openPrs, i.comments) } : {}),
    comment: commentJson(base, i.repo, i.comment, true),
    ...(i.action === "edited" ? { changes: { body: { from: i.previousBody ?? "" } } } : {}),
    repository: repoJson(base, i.repo, i.openPrs),
    sender: userJson(base, i.sender),
    is_pull: true,
  };
}

export function pullRequestPayload(base: string, action: string, repo: EmuRepo, pull: EmuPull, sender: EmuUser, openPrs: number, comments: number) {
  return {
    action,
    number: pull.number,
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
    head_commit: listed[0] ?? null,
    repository: repoJson(base, repo, openPrs),
    pusher: userJson(base, pusher),
    sender: userJson(base, pusher),
  };
}
