import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestBot, TEST_SECRET, type TestBot } from "../support/bot.ts";
import { CLIENTS, drainedUntilClosed, post } from "../support/http-clients.ts";
import { signedHeaders } from "../support/post.ts";

// A 413 sent while the body still arrives must reach the client: Node's fetch, Node's http
// client, and a client that writes its whole body before reading (as Go's net/http, Gitea's
// own client, does with a body it has buffered) each read it, every time.
describe("a readable 413", () => {
  let bot: TestBot;
  beforeEach(async () => {
    bot = await startTestBot({ handlers: () => [] });
  });
  afterEach(() => bot.dispose());

  const body = Buffer.alloc(6 * 1024 * 1024, 0x20);
  const headers = signedHeaders("push", "too-big", body, TEST_SECRET);

  it.each(CLIENTS)("is read by %s for a 6 MiB signed body, five times out of five", async (client) => {
    for (let i = 0; i < 5; i++) {
      const r = await post(client, bot.port, headers, body);
      expect(r).toEqual({ status: 413 });
    }
    const metrics = await (await fetch(`${bot.url}/metrics`)).text();
    expect(metrics).toContain('ccci_deliveries_total{event="unknown",outcome="rejected_413"} 5');
    expect(await bot.store.deliveries.list({ limit: 10 })).toHaveLength(0);
  });

  it("cuts off a client that keeps sending far beyond the limit", async () => {
    // 6 MiB over the limit is drained; an endless body is not: the connection closes.
    const sent = await drainedUntilClosed(bot.port, headers, 200 * 1024 * 1024);
    expect(sent.status).toBe(413);
    expect(sent.bytes).toBeLessThan(200 * 1024 * 1024);
  });
});
