import { z } from "zod";

// The parts of Gitea's payloads the bot reads (modules/structs/hook.go). Unknown fields are
// allowed and dropped; a missing or mistyped field we rely on is a 400 naming it.

const user = z.object({ login: z.string().min(1) });
const repository = z.object({
  full_name: z.string().regex(/^[^/\s]+\/[^/\s]+$/),
  clone_url: z.string().optional(),
  html_url: z.string().optional(),
});
const sha = z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, "must be a hex commit id");

const commit = z.object({
  id: sha,
  message: z.string(),
  added: z.array(z.string()).nullish(),
  removed: z.array(z.string()).nullish(),
  modified: z.array(z.string()).nullish(),
});

export const pushPayload = z.object({
  ref: z.string().min(1),
  before: sha,
  after: sha,
  commits: z.array(commit).nullish(),
  total_commits: z.number().int().min(0).optional(),
  repository,
  sender: user.optional(),
  pusher: user.optional(),
});

const branch = z.object({ ref: z.string(), sha });
const pullRequest = z.object({
  number: z.number().int().positive(),
  state: z.string(),
  html_url: z.string().optional(),
  head: branch,
  base: z.object({ ref: z.string() }),
  merged: z.boolean().optional(),
  updated_at: z.string().nullish(),
});

export const pullRequestPayload = z.object({
  action: z.string().min(1),
  number: z.number().int().positive(),
  pull_request: pullRequest,
  repository,
  sender: user,
});

export const issueCommentPayload = z.object({
  action: z.string().min(1),
  issue: z.object({
    number: z.number().int().positive(),
    state: z.string(),
    pull_request: z.object({}).nullish(),
  }),
  // Gitea 1.23+ adds the PR itself, with its head SHA at the time of the comment.
  pull_request: pullRequest.nullish(),
  comment: z.object({
    id: z.number().int().positive(),
    body: z.string(),
    html_url: z.string().optional(),
    user,
    created_at: z.string(),
    updated_at: z.string(),
  }),
  repository,
  sender: user,
  is_pull: z.boolean().optional(),
});

export type PushPayload = z.infer<typeof pushPayload>;
export type PullRequestPayload = z.infer<typeof pullRequestPayload>;
export type IssueCommentPayload = z.infer<typeof issueCommentPayload>;
