import { ZERO_SHA, type MirrorCommit } from "../git/mirror.ts";
import type { PushEvent } from "../webhooks/events.ts";

/** Gitea lists at most this many commits in a push payload (setting.UI.FeedMaxCommitNum). */
export const GITEA_LISTING_LIMIT = 5;

/**
 * The commits a push brings, read from its payload alone, oldest first — or null when the
 * payload cannot be trusted to list all of them, and git must be asked (the relay's usual path).
 *
 * Trusted only when the push starts at the head the bot last recorded (`before` = the stored
 * cursor: nothing in between went unseen) and the listing is complete: fewer commits than
 * Gitea's cap, or as many as `total_commits` says when the server sends it. Gitea lists the
 * newest first, `after` at the top; any other shape goes to git. Only subjects are taken (the
 * claim/review rules): file triggers (inboxes, phase STATUS files) are read from the mirror
 * after the fetch, which the relay runs in any case.
 *
 * What this gives up, and why it holds: a force push cannot be told from its payload (Gitea
 * sends no parents and no "forced" flag). If history was rewritten from the recorded head and
 * the payload lists the new commits completely, those new commits are pinged here — once each,
 * they are new to the branch — and the force-push alert is still raised, by the mirror's
 * ancestry check after the fetch, which re-baselines the loop as before; the commits rewritten
 * away are never pinged again. Exactly-once holds as on the git path: every ping marks its
 * (repo, commit, role), so the git pass after the fetch, a redelivery, a retry after a failed
 * fetch (the cursor has not moved, so this path runs again) and catch-up sweeps find the marks
 * and stay quiet. The one thing a mark hides: a commit that matches a rule AND updates the same
 * role's inbox pings that role once, with the rule's line.
 */
export function listedCommits(e: PushEvent, recordedHead: string | null): MirrorCommit[] | null {
  if (recordedHead === null || ZERO_SHA.test(e.before) || e.before.toLowerCase() !== recordedHead.toLowerCase()) return null;
  const n = e.commits.length;
  if (n === 0 || e.totalCommits !== n) return null;
  if (n >= GITEA_LISTING_LIMIT && !e.totalCommitsSent) return null;
  if (e.commits[0]!.sha.toLowerCase() !== e.after.toLowerCase()) return null;
  return [...e.commits].reverse().map((c) => ({ sha: c.sha, subject: c.subject, touched: [], deleted: [] }));
}
