import type { Logger } from "../log.ts";
import type { WebhookEvent } from "../webhooks/events.ts";

export interface HandlerContext {
  deliveryId: string;
  /** When the delivery reached the bot (latency metrics are measured from here). */
  receivedAt: number;
  log: Logger;
}

/**
 * One behaviour reacting to events. A handler must be safe to run again for the same delivery
 * (retries, replays): it keeps its own exactly-once keys for the effects it causes.
 */
export interface Handler {
  name: string;
  kinds: ReadonlyArray<WebhookEvent["kind"]>;
  handle(event: WebhookEvent, ctx: HandlerContext): Promise<void>;
}
