import type { WebhookEvent } from "./events.ts";

export interface IntakePolicy {
  isEnrolled(repo: string): boolean;
  /** The bot's own login, once known (config or the token's user). */
  botUser(): string | null;
}

/**
 * Why a verified, well-formed event needs no processing, or null when it does. Used at intake
 * and again at dispatch, because the bot's login may only become known after a delivery was stored.
 */
export function ignoreReason(e: WebhookEvent, policy: IntakePolicy): string | null {
  if (!policy.isEnrolled(e.repo)) return `repository ${e.repo} is not enrolled`;
  const bot = policy.botUser();
  if (e.kind === "comment" && bot !== null && e.author.toLowerCase() === bot.toLowerCase()) {
    return "comment written by the bot itself";
  }
  return null;
}
