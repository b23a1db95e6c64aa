import { afterEach, describe, expect, it } from "vitest";
import { connect } from "node:net";
import { startTestBot, TEST_SECRET, type TestBot } from "../support/bot.ts";
import { slowSender, type SlowSender } from "../support/http-clients.ts";
import { postRaw, signedHeaders } from "../support/post.ts";
import { waitFor } from "../support/wait.ts";

// Real sockets against a bot whose request bound is configured short (the default is 30 s).
describe("slow senders and the connection bound", () => {
  let bot: TestBot;
  const senders: SlowSender[] = [];
  afterEach(async () => {
    for (const s of senders.splice(0)) s.stop();
    await bot.dispose();
  });

  it("answers 408 and closes a body or headers that trickle in past server.requestTimeoutSeconds", async () => {
    bot = await startTestBot({ handlers: () => [], overrides: { server: { requestTimeoutSeconds: 0.5 } } });
    const body = slowSender(bot.port, "body", 100);
    const headers = slowSender(bot.port, "headers", 100);
    senders.push(body, headers);
    await waitFor(() => body.closedAfter !== null && headers.closedAfter !== null, "both slow senders to be cut off");
    expect(body.status).toBe(408);
    expect(headers.status).toBe(408);
    expect(body.response).toContain("the request did not arrive within 0.5 s");
    // Still serving, and the cut-offs are counted.
    const normal = JSON.stringify({ zen: "ok" });
    expect((await postRaw(bot.url, signedHeaders("ping", "after-slow", normal, TEST_SECRET), normal)).status).toBe(202);
    expect(await (await fetch(`${bot.url}/metrics`)).text()).toContain('ccci_connections_refused_total{reason="timeout"} 2');
  });

  it("closes connections beyond server.maxConnections as they arrive", async () => {
    bot = await startTestBot({ handlers: () => [], overrides: { server: { requestTimeoutSeconds: 30, maxConnections: 3 } } });
    for (let i = 0; i < 3; i++) senders.push(slowSender(bot.port, "body", 100));
    await waitFor(() => senders.every((s) => s.connected), "three connections to be open");
    const extra = await new Promise<{ data: string }>((resolve) => {
      const socket = connect(bot.port, "127.0.0.1");
      let data = "";
      socket.on("data", (d: Buffer) => (data += d.toString()));
      socket.on("error", () => {});
      socket.on("close", () => resolve({ data }));
    });
    expect(extra.data).toBe("");
    expect(senders.every((s) => s.closedAfter === null)).toBe(true);
    for (const s of senders.splice(0)) s.stop();
    // Once they are gone, deliveries are served again.
    await waitFor(async () => {
      const body = JSON.stringify({ zen: "ok" });
      return (await postRaw(bot.url, signedHeaders("ping", "after-max", body, TEST_SECRET), body)).status === 202;
    }, "a delivery to be served again");
    expect(await (await fetch(`${bot.url}/metrics`)).text()).toMatch(/ccci_connections_refused_total\{reason="max_connections"\} [1-9]/);
  });
});
