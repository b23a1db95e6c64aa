import { GiteaError } from "./port.ts";

/**
 * Whether an error means Gitea could not be reached — no answer, a timeout, a 5xx, a 429 —
 * rather than a refusal or a bug. Such a failure is an outage to wait out, not an attempt
 * spent (docs/design.md#outages-and-restarts). Follows `cause`, so a handler may wrap the Gitea error in its own.
 */
export function giteaUnreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof GiteaError) return e.retryable;
  }
  return false;
}
