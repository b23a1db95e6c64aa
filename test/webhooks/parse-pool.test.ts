import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { ParsePool } from "../../src/webhooks/parse-pool.ts";
import { fixture } from "../support/fixtures.ts";
import { waitFor } from "../support/wait.ts";

const push = fixture("003-push").body;
/** The captured push with `raw` as an extra first field, padded past the inline size. */
const large = (raw: string) => Buffer.from(`{"extra": ${raw},` + push.toString("utf8").slice(1));

describe("the parser thread", () => {
  let pool: ParsePool;
  afterEach(() => pool.stop());
  const make = (o: Partial<ConstructorParameters<typeof ParsePool>[0]> = {}) =>
    (pool = new ParsePool({ inlineBytes: 8 * 1024, maxQueuedBytes: 64 * 1024 * 1024, maxHeapMb: 256, idleMs: 60_000, log: pino({ level: "silent" }), ...o }));

  it("parses a large body in the thread and a small one inline, to the same typed event", async () => {
    make();
    const small = await pool.parse("push", null, push);
    expect(pool.running).toBe(false);
    const big = await pool.parse("push", null, large(JSON.stringify("x".repeat(100_000))));
    expect(pool.running).toBe(true);
    expect(big).toEqual(small);
  });

  it("refuses a large body while the queue already holds its limit, and parses again after", async () => {
    make({ maxQueuedBytes: 300_000 });
    const body = () => large("[" + Array(50_000).fill("[1]").join(",") + "]");
    const results = await Promise.all([pool.parse("push", null, body()), pool.parse("push", null, body())]);
    expect(results[0], JSON.stringify(results[0])).toMatchObject({ ok: true });
    expect(results[1]).toBe("busy");
    expect(await pool.parse("push", null, body())).toMatchObject({ ok: true });
  });

  it("answers a body that exhausts the thread's heap with an error, and starts a new thread for the next", async () => {
    make({ maxHeapMb: 16 });
    const r = await pool.parse("push", null, large("[" + Array(1_000_000).fill("[1]").join(",") + "]"));
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/^the body could not be parsed: /) });
    expect(await pool.parse("push", null, large("[]".padEnd(2000, " ")))).toMatchObject({ ok: true });
  });

  it("ends the thread after it has been idle, giving its memory back", async () => {
    make({ idleMs: 50 });
    await pool.parse("push", null, large(JSON.stringify("y".repeat(10_000))));
    await waitFor(() => !pool.running, "the idle thread to end");
  });
});
