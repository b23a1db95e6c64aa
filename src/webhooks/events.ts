import type { z } from "zod";
import type { EventKind } from "./identify.ts";
import { issueCommentPayload, pullRequestPayload, pushPayload, type IssueCommentPayload, type PullRequestPayload, type PushPayload } from "./payloads.ts";
import { isWellFormed } from "./payload-check.ts";

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

/** A comment on a PR or an issue, normalised once, here, so no handler reads the raw payload. */
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
 * and typed into a pane for nothing (docs/design.md#security: bounded comment length).
 */
export const MAX_COMMENT_CHARS = 64 * 1024;
export const MAX_SUBJECT_CHARS = 1000;

export function parseEvent(kind: EventKind, type: string | null, json: unknown): ParseResult {
  // The ordinary delivery passes the hand-written check and is read as it is; anything else
  // goes through the schema, which decides and says what is wrong (payload-check.ts).
  if (isWellFormed(kind, json)) return ok(normalise(kind, type, json as Payload));
  const r = SCHEMAS[kind].safeParse(json);
  return r.success ? ok(normalise(kind, type, r.data as Payload)) : failure(r.error);
}

type Payload = PushPayload & PullRequestPayload & IssueCommentPayload;
const SCHEMAS = { push: pushPayload, pull_request: pullRequestPayload, issue_comment: issueCommentPayload } as const;

/** The typed event of a payload that passed the check or the schema: the same whichever did. */
function normalise(kind: EventKind, type: string | null, p: Payload): WebhookEvent {
  switch (kind) {
    case "push": {
      const commits = (p.commits ?? []).map((c) => ({
        sha: c.id,
        subject: firstLine(c.message, MAX_SUBJECT_CHARS),
        added: c.added ?? [],
        removed: c.removed ?? [],
        modified: c.modified ?? [],
      }));
      return {
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
      };
    }
    case "pull_request":
      return {
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
      };
    case "issue_comment": {
      const isPull = p.is_pull ?? (type === "pull_request_comment" || (p.issue.pull_request !== null && p.issue.pull_request !== undefined));
      return {
        kind: "comment",
        repo: p.repository.full_name,
        action: p.action,
        number: p.issue.number,
        isPull,
        issueState: p.issue.state,
        commentId: p.comment.id,
        body: p.comment.body.length > MAX_COMMENT_CHARS ? p.comment.body.slice(0, MAX_COMMENT_CHARS) : p.comment.body,
        author: p.comment.user.login,
        createdAt: p.comment.created_at,
        updatedAt: p.comment.updated_at,
        htmlUrl: p.comment.html_url ?? null,
        headSha: p.pull_request?.head.sha ?? null,
        headRef: p.pull_request?.head.ref ?? null,
        cloneUrl: p.repository.clone_url ?? null,
      };
    }
  }
}

/** A commit message's subject, at most `max` characters, found without splitting the whole message. */
function firstLine(message: string, max: number): string {
  const end = message.indexOf("\n");
  const line = end === -1 ? message : message.slice(0, end);
  return line.length > max ? line.slice(0, max) : line;
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
 * id for the same event) is recognised as a duplicate (docs/design.md#intake).
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
