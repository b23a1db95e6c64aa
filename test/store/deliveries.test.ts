import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.ts";
import type { IncomingDelivery } from "../../src/store/deliveries.ts";
import type { PushEvent } from "../../src/webhooks/events.ts";
import { tempDir } from "../support/temp.ts";

const push: PushEvent = {
  kind: "push",
  repo: "org/loop",
  ref: "refs/heads/main",
  before: "a".repeat(40),
  after: "b".repeat(40),
  commits: [{ sha: "b".repeat(40), subject: "claim(gate-1): take gate 1", added: [], removed: [], modified: ["STATUS.md"] }],
  totalCommits: 1,
  cloneUrl: null,
  sender: "builder",
};

const delivery = (id: string, over: Partial<IncomingDelivery> = {}): IncomingDelivery => ({
  id,
  event: "push",
  action: null,
  repo: "org/loop",
  contentKey: `push:${id}`,
  state: "pending",
  reason: null,
  payload: push,
  receivedAt: 1_000,
  ...over,
});

describe("accepting a delivery into the store", () => {
  let store: Store;
  afterEach(() => store.close());

  it("keeps a pending delivery's event, none for one without an event, and nothing for a duplicate", async () => {
    store = openStore(tempDir());
    const first = await store.deliveries.accept(delivery("d1"));
    expect(first).toEqual({ status: "accepted", seq: expect.any(Number) });
    const seq = (first as { seq: number }).seq;
    expect(await store.deliveries.payload(seq)).toEqual({ event: push });

    const ignored = await store.deliveries.accept(delivery("d2", { state: "ignored", reason: "not a loop repo", payload: null, contentKey: null }));
    expect(ignored).toEqual({ status: "accepted", seq: seq + 1 });
    expect(await store.deliveries.payload(seq + 1)).toBeNull();
    expect(await store.deliveries.get("d2")).toMatchObject({ state: "ignored", reason: "not a loop repo" });

    // The same delivery id again, and another id with the same content: neither is stored, and
    // the first delivery's event is still the one kept.
    const other = { ...push, sender: "somebody else" };
    expect(await store.deliveries.accept(delivery("d1", { payload: other }))).toEqual({ status: "duplicate", of: "d1" });
    expect(await store.deliveries.accept(delivery("d3", { contentKey: "push:d1", payload: other }))).toEqual({ status: "duplicate", of: "d1" });
    expect(await store.deliveries.payload(seq)).toEqual({ event: push });
    expect(await store.deliveries.payload(seq + 1)).toBeNull();
    expect(await store.deliveries.get("d3")).toBeNull();
    expect(await store.deliveries.count("pending")).toBe(1);
  });
});
