import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { request } from "node:http";
import type { Handler } from "../../src/handlers/handler.ts";
import type { WebhookEvent } from "../../src/webhooks/events.ts";
import { startTestBot, TEST_SECRET, type TestBot } from "../support/bot.ts";
import { fixture } from "../support/fixtures.ts";
import { postRaw, signedHeaders } from "../support/post.ts";
import { waitFor } from "../support/wait.ts";

const push = fixture("003-push").body.toString("utf8").replaceAll("e2e-org/demo", "recipes/demo");
/** The captured push with `raw` spliced in as an extra first field nobody reads. */
const withExtra = (raw: string, after = "1".repeat(40)) => `{"extra": ${raw},` + push.replace(/"after": "[0-9a-f]{40}"/, `"after": "${after}"`).slice(1);

describe("a bounded cost per delivery", () => {
  let bot: TestBot;
  const seen: WebhookEvent[] = [];
  beforeEach(async () => {
    seen.length = 0;
    const recorder: Handler = { name: "recorder", kinds: ["push", "comment"], handle: async (e) => void seen.push(e) };
    bot = await startTestBot({ handlers: () => [recorder] });
  });
  afterEach(() => bot.dispose());

  it.each([
    ["arrays", "[".repeat(1_200_000) + "]".repeat(1_200_000)],
    ["objects", '{"a":'.repeat(400_000) + "1" + "}".repeat(400_000)],
  ])("refuses a signed body of JSON %s nested a million levels deep with one line, before parsing it", async (_shape, deep) => {
    const body = withExtra(deep);
    const r = await postRaw(bot.url, signedHeaders("push", `deep-${_shape}`, body, TEST_SECRET), body);
    expect(r).toEqual({ status: 400, text: "body nests JSON more than 64 levels deep, which no forge payload does" });
    expect(await bot.store.deliveries.list({ limit: 10 })).toHaveLength(0);
  });

  it("parses a large body off the event loop: a small delivery sent after it is answered first", async () => {
    // 4.8 MB of tiny arrays: the slowest JSON there is to parse per byte, and still valid.
    const big = withExtra("[" + Array(1_200_000).fill("[1]").join(",") + "]", "2".repeat(40));
    const order: string[] = [];
    let sent!: () => void;
    const bigSent = new Promise<void>((resolve) => (sent = resolve));
    const bigDone = new Promise<number>((resolve, reject) => {
      const req = request(`${bot.url}/webhook`, { method: "POST", headers: signedHeaders("push", "big", big, TEST_SECRET) }, (res) => {
        res.resume();
        res.on("end", () => (order.push("big"), resolve(res.statusCode ?? 0)));
      });
      req.on("error", reject);
      req.end(big, () => sent());
    });
    // Sent once the large body has left this process whole.
    await bigSent;
    const small = withExtra("[]", "3".repeat(40));
    const smallDone = postRaw(bot.url, signedHeaders("push", "small", small, TEST_SECRET), small).then((r) => (order.push("small"), r.status));
    expect(await Promise.all([bigDone, smallDone])).toEqual([202, 202]);
    expect(order).toEqual(["small", "big"]);
    await waitFor(() => seen.length === 2, "both pushes to be handled");
  });

  it("keeps the first 64 KiB of a megabyte-long comment, enough to find its commands", async () => {
    const comment = JSON.parse(fixture("004-issue_comment-created").body.toString("utf8")) as { comment: { body: string } };
    comment.comment.body = "!testme\n" + "padding ".repeat(128 * 1024);
    const body = JSON.stringify(comment, null, 2).replaceAll("e2e-org/demo", "recipes/demo");
    expect((await postRaw(bot.url, signedHeaders("issue_comment", "long-comment", body, TEST_SECRET), body)).status).toBe(202);
    await waitFor(() => seen.length === 1, "the comment to be handled");
    const e = seen[0]!;
    expect(e.kind === "comment" && e.body.length).toBe(64 * 1024);
    expect(e.kind === "comment" && e.body.startsWith("!testme\n")).toBe(true);
  });
});
