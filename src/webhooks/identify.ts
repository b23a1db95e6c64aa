import type { IncomingHttpHeaders } from "node:http";

export interface EventIdentity {
  /** The event header as sent (push, pull_request, issue_comment, ...). */
  event: string | null;
  /** The finer event type (Gitea 1.16+): pull_request_comment, pull_request_sync, ... */
  type: string | null;
  deliveryId: string | null;
}

// Forgejo sends its own names beside Gitea's; Gogs-compatible and GitHub-compatible names come
// last so that the forge's own header wins when a proxy rewrote one of them.
const PREFIXES = ["x-forgejo-", "x-gitea-", "x-gogs-", "x-github-"] as const;
// The header names, made once: looked up for every delivery.
const NAMES = {
  event: PREFIXES.map((p) => `${p}event`),
  type: PREFIXES.map((p) => `${p}event-type`),
  delivery: PREFIXES.map((p) => `${p}delivery`),
};

function first(headers: IncomingHttpHeaders, names: readonly string[]): string | null {
  for (const name of names) {
    const v = headers[name];
    if (v === undefined) continue;
    const s = (typeof v === "string" ? v : v[0])?.trim();
    if (s) return s;
  }
  return null;
}

export function identify(headers: IncomingHttpHeaders): EventIdentity {
  return { event: first(headers, NAMES.event), type: first(headers, NAMES.type), deliveryId: first(headers, NAMES.delivery) };
}

export type EventKind = "push" | "pull_request" | "issue_comment";

/**
 * The events the bot acts on. A plain PR comment arrives as `issue_comment` (type
 * `pull_request_comment` on 1.16+); the *event* name `pull_request_comment` is a review
 * comment, not handled (Gitea modules/webhook/type.go, HookEventType.Event()).
 */
export function eventKind(identity: EventIdentity): EventKind | null {
  switch (identity.event) {
    case "push":
      return "push";
    case "pull_request":
      return "pull_request";
    case "issue_comment":
      return "issue_comment";
    default:
      return null;
  }
}
