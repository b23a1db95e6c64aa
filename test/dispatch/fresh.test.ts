import { afterEach, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.ts";
import type { DueDelivery } from "../../src/store/deliveries.ts";
import type { PushEvent } from "../../src/webhooks/events.ts";
import type { Handler } from "../../src/handlers/handler.ts";
import { Dispatcher } from "../../src/dispatch/dispatcher.ts";
import { createLogger } from "../../src/log.ts";
import { makeRedactor } from "../../src/redact.ts";
import { systemClock } from "../../src/clock.ts";
import { tempDir } from "../support/temp.ts";
import { waitFor } from "../support/wait.ts";

const push = (n: number, repo = "org/recipe"): PushEvent => ({
  kind: "push",
  repo,
  ref: "refs/heads/main",
  before: "0".repeat(40),
  after: n.toString(16).padStart(40, "0"),
  commits: [],
  totalCommits: 0,
  cloneUrl: null,
  sender: "someone",
});

/** Intake's part, on a real store: prime the event, commit the row, hand the stored delivery over. */
async function intake(store: Store, dispatcher: Dispatcher, n: number, handOver = true, repo?: string): Promise<DueDelivery> {
  const event = push(n, repo);
  const id = `delivery-${n}`;
  dispatcher.prime(id, event);
  const outcome = await store.deliveries.accept({ id, event: "push", action: null, repo: event.repo, contentKey: `push:${n}`, state: "pending", reason: null, payload: event, receivedAt: 1_000 + n });
  if (outcome.status !== "accepted") throw new Error(`delivery ${n} was not accepted`);
  const due: DueDelivery = { seq: outcome.seq, id, event: "push", repo: event.repo, attempts: 0, lastError: null, receivedAt: 1_000 + n, waitingSince: null };
  if (handOver) dispatcher.accepted(due);
  return due;
}

describe("deliveries intake hands over", () => {
  let store: Store | undefined;
  let dispatcher: Dispatcher | undefined;
  afterEach(async () => {
    await dispatcher?.stop();
    await store?.close();
    dispatcher = store = undefined;
  });

  function start(handle: Handler["handle"]): { store: Store; dispatcher: Dispatcher; looks: () => number } {
    store = openStore(tempDir());
    let looks = 0;
    const deliveries = store.deliveries;
    const due = deliveries.due.bind(deliveries);
    deliveries.due = (...args) => {
      looks++;
      return due(...args);
    };
    dispatcher = new Dispatcher({
      store: deliveries,
      handlers: [{ name: "recorder", kinds: ["push"], handle }],
      policy: { isEnrolled: () => true, botUser: () => "ci-bot" },
      clock: systemClock,
      log: createLogger("silent", makeRedactor([])),
      metrics: { handlerFailures: { inc: () => {} } } as never,
      redact: makeRedactor([]),
      maxAttempts: 3,
      backoffMs: 5,
      concurrency: 2,
      pollMs: 60_000,
    });
    dispatcher.start();
    return { store, dispatcher, looks: () => looks };
  }

  it("go to their handlers in order without the store being read for them", async () => {
    const seen: string[] = [];
    const { store, dispatcher, looks } = start(async (e) => void seen.push((e as PushEvent).after));
    await dispatcher.idle();
    const before = looks();
    for (let n = 1; n <= 40; n++) await intake(store, dispatcher, n);
    await waitFor(async () => (await store.deliveries.count("done")) === 40, "every delivery to be handled");
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => push(i + 1).after));
    expect(looks() - before).toBe(0);
    expect(dispatcher.primed).toBe(0);
  });

  it("are handled once when a look found them first, and a look skips those already handed over", async () => {
    const calls = new Map<string, number>();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { store, dispatcher } = start(async (e) => {
      const after = (e as PushEvent).after;
      calls.set(after, (calls.get(after) ?? 0) + 1);
      if (after === push(1).after) await held;
    });
    await dispatcher.idle();
    // Committed, found by a look (a sweep's wake) and taken by a job before intake hands it over.
    const first = await intake(store, dispatcher, 1, false);
    dispatcher.wake();
    await waitFor(async () => calls.get(push(1).after) === 1, "the first delivery's handler to start");
    dispatcher.accepted(first);
    // Handed over first, then a look (of a repo with no job running): the look must not take
    // it a second time.
    await intake(store, dispatcher, 2, true, "org/other");
    dispatcher.wake();
    release();
    await waitFor(async () => (await store.deliveries.count("done")) === 2, "both deliveries to be handled");
    await dispatcher.idle();
    expect(Object.fromEntries(calls)).toEqual({ [push(1).after]: 1, [push(2).after]: 1 });
  });

  it("come back for a retry that fell due while their repo's job was still running, without waiting for the poll", async () => {
    const calls = new Map<string, number>();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { store, dispatcher, looks } = start(async (e) => {
      const after = (e as PushEvent).after;
      calls.set(after, (calls.get(after) ?? 0) + 1);
      if (after === push(1).after && calls.get(after) === 1) throw new Error("not this time");
      if (after === push(2).after) await held;
    });
    await dispatcher.idle();
    // Both in one job of the repo: the first fails (a retry in about 5 ms), the second holds the job.
    await intake(store, dispatcher, 1, false);
    await intake(store, dispatcher, 2, false);
    const before = looks();
    dispatcher.wake();
    await waitFor(async () => calls.get(push(2).after) === 1, "the second delivery's handler to start");
    // The retry's timer fires and looks while the repo is busy: the look passes the repo over.
    await waitFor(async () => looks() >= before + 2, "the wake's look, then the retry's");
    release();
    await waitFor(async () => (await store.deliveries.count("done")) === 2, "the retried delivery to be handled before the poll");
    expect(calls.get(push(1).after)).toBe(2);
  });

  it("not handed over (a sweep's, or beyond the bound) are found by the look a wake starts", async () => {
    const seen: string[] = [];
    const { store, dispatcher } = start(async (e) => void seen.push((e as PushEvent).after));
    await dispatcher.idle();
    await intake(store, dispatcher, 1, false);
    await intake(store, dispatcher, 2);
    await waitFor(async () => seen.length === 1, "the handed-over delivery to be handled");
    dispatcher.wake();
    await waitFor(async () => (await store.deliveries.count("done")) === 2, "the other to be found and handled");
    expect(seen.sort()).toEqual([push(1).after, push(2).after]);
  });
});
