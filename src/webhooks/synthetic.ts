import type { DeliveryStore } from "../store/deliveries.ts";
import { contentKey, eventAction, type WebhookEvent } from "./events.ts";

/**
 * Stores something a catch-up sweep found as if Gitea had delivered it: it runs through the
 * same handlers, and it carries the content key the real delivery has, so whichever of the
 * two arrives second is a duplicate. Returns whether it was new.
 */
export async function storeAsDelivery(
  deliveries: Pick<DeliveryStore, "accept">,
  d: { id: string; event: "push" | "issue_comment"; typed: WebhookEvent; receivedAt: number },
): Promise<boolean> {
  const outcome = await deliveries.accept({
    id: d.id,
    event: d.event,
    action: eventAction(d.typed),
    repo: d.typed.repo,
    contentKey: contentKey(d.typed),
    state: "pending",
    reason: null,
    payload: d.typed,
    receivedAt: d.receivedAt,
  });
  return outcome.status === "accepted";
}
