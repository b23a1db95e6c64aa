import type { HandoffRelay } from "../loops/relay.ts";
import type { PushEvent } from "../webhooks/events.ts";
import type { Handler } from "./handler.ts";

/** Pushes go to the handoff relay of the loops wing (src/loops/relay.ts). */
export function createHandoffHandler(relay: Pick<HandoffRelay, "onPush">): Handler {
  return {
    name: "handoff",
    kinds: ["push"],
    handle: (event, ctx) => relay.onPush(event as PushEvent, ctx.receivedAt, ctx.log),
  };
}
