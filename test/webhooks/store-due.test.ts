import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.ts";
import type { IncomingDelivery } from "../../src/store/deliveries.ts";
import { tempDir } from "../support/temp.ts";

const delivery = (id: string, repo: string): IncomingDelivery => ({
  id,
  event: "push",
  action: null,
  repo,
  contentKey: `push:${id}`,
  state: "pending",
  reason: null,
  payload: null,
  receivedAt: 1_000,
});

describe("due deliveries, with and without busy repos", () => {
  let store: Store;
  afterEach(() => store.close());

  it("lists every due delivery in order when no repo is busy, and skips the busy repos' when some are", async () => {
    store = openStore(tempDir());
    for (const [id, repo] of [["a1", "Org/A"], ["b1", "org/b"], ["a2", "org/a"], ["later", "org/b"]] as const) {
      expect(await store.deliveries.accept(delivery(id, repo))).toEqual({ status: "accepted", seq: expect.any(Number) });
    }
    const later = (await store.deliveries.get("later"))!;
    await store.deliveries.retryLater(later.seq, 5_000, "try again later");
    const ids = async (busy?: Set<string>) => (await store.deliveries.due(2_000, 10, busy)).map((d) => d.id);
    expect(await ids()).toEqual(["a1", "b1", "a2"]);
    expect(await ids(new Set())).toEqual(["a1", "b1", "a2"]);
    expect(await ids(new Set(["org/a"]))).toEqual(["b1"]);
    expect(await ids(new Set(["org/a", "org/b"]))).toEqual([]);
    expect((await store.deliveries.due(6_000, 2)).map((d) => d.id)).toEqual(["a1", "b1"]);
  });
});
