/**
 * The event names a forge sends in X-Gitea-Event / X-Forgejo-Event (Gitea
 * modules/webhook/type.go, HookEventType.Event(), plus the newer package, status and workflow
 * events). A metric label takes only these values, so a sender that makes names up cannot grow
 * /metrics without bound (every other name counts as `other`).
 */
const KNOWN = new Set([
  "create",
  "delete",
  "fork",
  "push",
  "issues",
  "issue_comment",
  "pull_request",
  "pull_request_approved",
  "pull_request_rejected",
  "pull_request_comment",
  "pull_request_review_request",
  "wiki",
  "repository",
  "release",
  "package",
  "status",
  "workflow_job",
  "workflow_run",
  "schedule",
]);

export function eventLabel(event: string | null): string {
  if (event === null) return "unknown";
  return KNOWN.has(event) ? event : "other";
}
