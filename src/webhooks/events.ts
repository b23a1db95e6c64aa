import type { z } from "zod";
import type { EventKind } from "./identify.ts";
import { issueCommentPayload, pullRequestPayload, pushPayload } from "./payloads.ts";

/** Typed events handed to handlers: one shape per behaviour, whatever forge version sent it. */

export interface PushCommit {
  sha: string;
  subject: string;
  added: string[];
  removed: string[];
  modified: string[];
}

export interface PushEvent {
  kind: "push";
  repo: string;
  ref: string;
  before: string;
  after: string;
  /** Gitea lists at most 5 commits (newest first); `totalCommits` counts them all. */
  commits: PushCommit[];
  totalCommits: number;
  /** Whether the server sent `total_commits` (Gitea 1.18+, Forgejo); else totalCommits is the listing's length. */
  totalCommitsSent?: boolean;
  cloneUrl: string | null;
  sender: string | null;
}

export interface PullRequestEvent {
  kind: "pull_request";
  repo: string;
  action: string;
  number: number;
  state: string;
  headSha: string;
  headRef: string;
  baseRef: string;
  htmlUrl: string | null;
  updatedAt: string | null;
  sender: string;
}

/** A comment on a PR or an issue, normalised once (DESIGN: practice 5). */
export interface CommentEvent {
  kind: "comment";
  repo: string;
  action: string;
  number: number;
  isPull: boolean;
  issueState: string;
  commentId: number;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
  htmlUrl: string | null;
  /** The PR head at comment time when the forge sends it (Gitea 1.23+), else null. */
  headSha: string | null;
  headRef: string | null;
  cloneUrl: string | null;
}

export type WebhookEvent = PushEvent | PullRequestEvent | CommentEvent;

export type ParseResult = { ok: true; event: WebhookEvent } | { ok: false; error: string };

/**
 * What the bot keeps of the free-text fields: commands are read from a comment's lines and pings
 * quote a commit's subject, so a megabyte-long comment or subject would only be stored, queued
 * and typed into a pane for nothing (SPEC §11: bounded comment length).
 */
export const MAX_COMMENT_CHARS = 64 * 1024;
export const MAX_SUBJECT_CHARS = 1000;

export function parseEvent(kind: EventKind, type: string | null, json: unknown): ParseResult {
  switch (kind) {
    case "push": {
      const r = pushPayload.safeParse(json);
      if (!r.success) return failure(r.error);
      const p = r.data;
      const commits = (p.commits ?? []).map((c) => ({
        sha: c.id,
        subject: (c.message.split("\n", 1)[0] ?? "").slice(0, MAX_SUBJECT_CHARS),
        added: c.added ?? [],
        removed: c.removed ?? [],
        modified: c.modified ?? [],
      }));
      return ok({
        kind: "push",
        repo: p.repository.full_name,
        ref: p.ref,
        before: p.before,
        after: p.after,
        commits,
        totalCommits: p.total_commits ?? commits.length,
        totalCommitsSent: p.total_commits !== undefined,
        cloneUrl: p.repository.clone_url ?? null,
        sender: p.sender?.login ?? p.pusher?.login ?? null,
      });
    }
    case "pull_request": {
      const r = pullRequestPayload.safeParse(json);
      if (!r.success) return failure(r.error);
      const p = r.data;
      return ok({
        kind: "pull_request",
        repo: p.repository.full_name,
        action: p.action,
        number: p.number,
        state: p.pull_request.state,
        headSha: p.pull_request.head.sha,
        headRef: p.pull_request.head.ref,
        baseRef: p.pull_request.base.ref,
        htmlUrl: p.pull_request.html_url ?? null,
        updatedAt: p.pull_request.updated_at ?? null,
        sender: p.sender.login,
      });
    }
    case "issue_comment": {
      const r = issueCommentPayload.safeParse(json);
      if (!r.success) return failure(r.error);
      const p = r.data;
      const isPull = p.is_pull ?? (type === "pull_request_comment" || (p.issue.pull_request !== null && p.issue.pull_request !== undefined));
      return ok({
        kind: "comment",
        repo: p.repository.full_name,
        action: p.action,
        number: p.issue.number,
        isPull,
        issueState: p.issue.state,
        commentId: p.comment.id,
        body: p.comment.body.slice(0, MAX_COMMENT_CHARS),
        author: p.comment.user.login,
        createdAt: p.comment.created_at,
        updatedAt: p.comment.updated_at,
        htmlUrl: p.comment.html_url ?? null,
        headSha: p.pull_request?.head.sha ?? null,
        headRef: p.pull_request?.head.ref ?? null,
        cloneUrl: p.repository.clone_url ?? null,
      });
    }
  }
}

function ok(event: WebhookEvent): ParseResult {
  return { ok: true, event };
}

function failure(error: z.ZodError): ParseResult {
  const issue = error.issues[0];
  const at = issue?.path.map(String).join(".") || "(root)";
  return { ok: false, error: `payload field ${at}: ${issue?.message ?? "invalid"}` };
}

/**
 * The key that identifies the *content* of a delivery, so Gitea's "Redeliver" (a new delivery
 * id for the same event) is recognised as a duplicate (SPEC §1).
 */
export function contentKey(e: WebhookEvent): string {
  switch (e.kind) {
    case "push":
      return `push:${e.repo.toLowerCase()}:${e.ref}:${e.after}`;
    case "pull_request":
      return `pr:${e.repo.toLowerCase()}#${e.number}:${e.action}:${e.headSha}:${e.updatedAt ?? ""}`;
    case "comment":
      return `comment:${e.repo.toLowerCase()}:${e.commentId}:${e.action}:${e.updatedAt}`;
  }
}

export function eventAction(e: WebhookEvent): string | null {
  return e.kind === "push" ? null : e.action;
}
