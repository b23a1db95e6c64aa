import type { Credentials, GiteaApi } from "../../test/e2e/support/gitea-api.ts";
import type { Authorizations } from "./exchange.ts";
import type { Clone, GitWorkspace } from "./git.ts";
import type { Output } from "./output.ts";
import type { Receiver } from "./receiver.ts";
import type { Redactor } from "./redact.ts";

export const ORG = "e2e-org";
export const REPO = `${ORG}/demo`;
export const SECRET = "e2e-webhook-secret-123";
/** The webhook's events: the bot's README set plus `delete` (not `create`). */
export const HOOK_EVENTS = ["push", "pull_request", "pull_request_comment", "issue_comment", "delete"];
/** Names the scenario creates: a server that already has one is not fresh. */
export const USERS = ["ci-bot", "bob", "dave", "carol"] as const;

export interface Options {
  /** How long to wait for a delivery, a merge to be possible, … */
  deadlineMs: number;
  /** How long the receiver must stay quiet after an action's deliveries before the next action. */
  settleMs: number;
}

/** Everything the steps share while the scenario plays. */
export interface Ctx {
  url: string;
  /** `gadmin`, basic auth. */
  admin: GiteaApi;
  users: Map<string, Credentials>;
  /** Authorization values for the recorded exchanges (tokens exist from phase B on). */
  auth: Authorizations;
  git: GitWorkspace;
  clone: Clone | null;
  rx: Receiver;
  out: Output;
  redact: Redactor;
  opts: Options;
  log: (line: string) => void;
  /** Numbers, SHAs and IDs found on the way (PR numbers, head SHAs, comment IDs). */
  state: Map<string, string | number>;
  /** Expected delivery files that never arrived (the summary names them). */
  missing: string[];
}

/** The same server as another user of the scenario (basic auth). */
export function as(ctx: Ctx, user: string): GiteaApi {
  const c = ctx.users.get(user);
  if (!c) throw new Error(`internal: user ${user} is not created yet`);
  return ctx.admin.user(c);
}

export function need(ctx: Ctx, key: string): string {
  const v = ctx.state.get(key);
  if (v === undefined) throw new Error(`internal: ${key} is not known yet`);
  return String(v);
}

export function cloneOf(ctx: Ctx): Clone {
  if (!ctx.clone) throw new Error("internal: no working copy yet");
  return ctx.clone;
}
