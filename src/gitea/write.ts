import type { StatusState } from "./port.ts";

/** Every write the bot makes to Gitea, as stored in the outbox. */
export type GiteaWrite =
  | { op: "createComment"; owner: string; repo: string; number: number; body: string }
  | { op: "editComment"; owner: string; repo: string; commentId: number; body: string }
  /** Edits the bot's own comment carrying `marker` on the PR, or creates it (one result comment per PR). */
  | { op: "upsertComment"; owner: string; repo: string; number: number; marker: string; body: string }
  | { op: "setStatus"; owner: string; repo: string; sha: string; state: StatusState; context: string; description: string; targetUrl?: string }
  | { op: "addReaction"; owner: string; repo: string; commentId: number; reaction: string }
  /** A new issue (a sweep's report). */
  | { op: "createIssue"; owner: string; repo: string; title: string; body: string };
