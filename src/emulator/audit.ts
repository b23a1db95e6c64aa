import type { EmulatorState } from "./state.ts";

/** One `!testme` as the forge shows it afterwards. */
export interface TestmeAudit {
  /** Final statuses (success / failure / error) of the context on the head. */
  finals: number;
  /** Pending statuses posted after the first final one. */
  pendingAfterFinal: number;
  /** Statuses posted more than once (same state, description and link). */
  repeatedStatuses: number;
  /** Eyes reactions of the bot on the comment (Gitea keeps one per user and content). */
  eyes: number;
  /** Reaction requests the bot sent for the comment (a repeat is harmless, Gitea dedupes). */
  eyesRequests: number;
  /** Bot comments carrying the result marker. */
  resultComments: number;
  /** Other bot comments on the PR (replies). */
  replies: number;
}

export interface TestmeTarget {
  repo: string;
  number: number;
  sha: string;
  commentId: number;
  bot: string;
  context?: string;
  resultMarker?: string;
}

const FINAL = new Set(["success", "failure", "error"]);

/** Counts what the bot left on the forge for one `!testme`: each should be there once. */
export function auditTestme(state: EmulatorState, t: TestmeTarget): TestmeAudit {
  const context = t.context ?? "cc-ci/testme";
  const marker = t.resultMarker ?? "<!-- cc-ci-bot:testme-result -->";
  const statuses = state.statusesOf(t.repo, t.sha).reverse().filter((s) => s.context === context);
  const firstFinal = statuses.findIndex((s) => FINAL.has(s.state));
  const seen = new Set<string>();
  let repeatedStatuses = 0;
  for (const s of statuses) {
    const k = `${s.state}\n${s.description}\n${s.targetUrl}`;
    if (seen.has(k)) repeatedStatuses++;
    seen.add(k);
  }
  const r = state.repo(t.repo);
  const botComments = state.commentsOn(t.repo, t.number).filter((c) => c.author.login.toLowerCase() === t.bot.toLowerCase());
  const reactionPath = `/api/v1/repos/${t.repo}/issues/comments/${t.commentId}/reactions`;
  return {
    finals: statuses.filter((s) => FINAL.has(s.state)).length,
    pendingAfterFinal: firstFinal < 0 ? 0 : statuses.slice(firstFinal).filter((s) => s.state === "pending").length,
    repeatedStatuses,
    eyes: r.reactions.filter((x) => x.commentId === t.commentId && x.content === "eyes" && x.user.toLowerCase() === t.bot.toLowerCase()).length,
    eyesRequests: state.calls.filter((c) => c.method === "POST" && c.path.toLowerCase() === reactionPath.toLowerCase() && c.status < 300).length,
    resultComments: botComments.filter((c) => c.body.includes(marker)).length,
    replies: botComments.filter((c) => !c.body.includes(marker)).length,
  };
}
