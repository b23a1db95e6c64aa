import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connect } from "node:net";
import type { Handler } from "../../src/handlers/handler.ts";
import type { WebhookEvent } from "../../src/webhooks/events.ts";
import { FIXTURE_SECRET, fixture, fixtureNames, sendableHeaders } from "../support/fixtures.ts";
import { startTestBot, TEST_SECRET, type TestBot } from "../support/bot.ts";
import { hmac, postRaw, signedHeaders } from "../support/post.ts";
import { waitFor } from "../support/wait.ts";

/** A handler that records what it was given. */
function recorder(kinds: WebhookEvent["kind"][] = ["push", "pull_request", "comment"]) {
  const seen: Array<{ delivery: string; event: WebhookEvent }> = [];
  const handler: Handler = {
    name: "recorder",
    kinds,
    async handle(event, ctx) {
      seen.push({ delivery: ctx.deliveryId, event });
    },
  };
  return { handler, seen };
}

describe("webhook intake against the real Gitea deliveries", () => {
  let bot: TestBot;
  let rec: ReturnType<typeof recorder>;

  beforeEach(async () => {
    rec = recorder();
    bot = await startTestBot({
      overrides: { webhook: { secrets: [FIXTURE_SECRET] }, gitea: { botUser: "gadmin" } },
      handlers: () => [rec.handler],
    });
  });
  afterEach(() => bot.dispose());

  const total = async () => (await bot.store.deliveries.list({ limit: 100 })).length;

  it.each(fixtureNames())("%s is verified, stored and answered 202", async (name) => {
    const f = fixture(name);
    const r = await postRaw(bot.url, sendableHeaders(f.headers), f.body);
    expect(r.status).toBe(202);
    const stored = await bot.store.deliveries.get(f.headers["x-gitea-delivery"]!);
    expect(stored?.event).toBe(f.headers["x-gitea-event"]);
  });

  it("logs each accepted delivery at debug level and counts the answers in one info line, written at stop", async () => {
    const f = fixture("004-issue_comment-created");
    expect((await postRaw(bot.url, sendableHeaders(f.headers), f.body)).status).toBe(202);
    expect((await postRaw(bot.url, sendableHeaders(f.headers), f.body)).status).toBe(200);
    expect((await postRaw(bot.url, { ...sendableHeaders(f.headers), "x-gitea-signature": hmac("wrong-secret", f.body) }, f.body)).status).toBe(401);
    const id = f.headers["x-gitea-delivery"];
    expect(bot.logs.lines.filter((l) => l.delivery === id && l.msg === "delivery accepted").map((l) => l.level)).toEqual([20]);
    expect(bot.logs.lines.filter((l) => l.msg === "deliveries answered")).toEqual([]);
    await bot.stop();
    const summary = bot.logs.lines.filter((l) => l.msg === "deliveries answered");
    expect(summary).toEqual([expect.objectContaining({ level: 30, accepted: 1, duplicate: 1, rejected_401: 1 })]);
  });

  it("stores nothing and answers 401 for a one-byte change, a wrong secret, an empty digest or no signature", async () => {
    const f = fixture("004-issue_comment-created");
    const headers = sendableHeaders(f.headers);
    const tampered = Buffer.from(f.body);
    tampered[100]! ^= 0x20;
    const noSig = Object.fromEntries(Object.entries(headers).filter(([k]) => !/signature/.test(k)));
    const cases = [
      { headers, body: tampered },
      { headers: { ...noSig, "x-gitea-signature": hmac("wrong-secret", f.body) }, body: f.body },
      { headers: { ...noSig, "x-gitea-signature": "" }, body: f.body },
      { headers: noSig, body: f.body },
    ];
    for (const c of cases) {
      const r = await postRaw(bot.url, c.headers, c.body);
      expect(r.status).toBe(401);
      expect(r.text.split("\n")).toHaveLength(1);
    }
    expect(await total()).toBe(0);
  });

  it("hands handlers the typed event: the comment, its PR and author", async () => {
    const f = fixture("004-issue_comment-created");
    await postRaw(bot.url, sendableHeaders(f.headers), f.body);
    await waitFor(() => rec.seen.length === 1, "the handler to run");
    expect(rec.seen[0]!.event).toMatchObject({ kind: "comment", repo: "e2e-org/demo", number: 1, isPull: true, author: "bob", body: "!testme", action: "created" });
  });

  it("processes the same comment once when Gitea redelivers it under a new delivery id", async () => {
    const f = fixture("004-issue_comment-created");
    const first = await postRaw(bot.url, sendableHeaders(f.headers), f.body);
    const redelivered = { ...sendableHeaders(f.headers), "x-gitea-delivery": "11111111-2222-3333-4444-555555555555", "x-github-delivery": "x", "x-gogs-delivery": "x" };
    const second = await postRaw(bot.url, redelivered, f.body);
    const third = await postRaw(bot.url, sendableHeaders(f.headers), f.body);
    expect([first.status, second.status, third.status]).toEqual([202, 200, 200]);
    expect(second.text).toBe(`duplicate of delivery ${f.headers["x-gitea-delivery"]}`);
    await bot.dispatcher.idle();
    await waitFor(() => rec.seen.length >= 1, "the handler to run");
    await bot.dispatcher.idle();
    expect(rec.seen).toHaveLength(1);
  });

  it("records but does not act on the bot's own comment", async () => {
    const f = fixture("008-issue_comment-created");
    const r = await postRaw(bot.url, sendableHeaders(f.headers), f.body);
    expect(r).toEqual({ status: 202, text: "ignored: comment written by the bot itself" });
    await bot.dispatcher.idle();
    expect(rec.seen).toHaveLength(0);
    expect((await bot.store.deliveries.get(f.headers["x-gitea-delivery"]!))?.state).toBe("ignored");
  });
});

describe("webhook intake refusals and shapes", () => {
  let bot: TestBot;
  let rec: ReturnType<typeof recorder>;
  const comment = fixture("004-issue_comment-created");

  beforeEach(async () => {
    rec = recorder();
    bot = await startTestBot({ overrides: { webhook: { maxBodyBytes: 5 * 1024 * 1024 } }, handlers: () => [rec.handler] });
  });
  afterEach(() => bot.dispose());

  const stored = async () => bot.store.deliveries.list({ limit: 100 });

  it("ignores a comment in a repository that is not enrolled", async () => {
    const body = comment.body.toString("utf8").replaceAll("e2e-org/demo", "elsewhere/demo");
    const r = await postRaw(bot.url, signedHeaders("issue_comment", "d-1", body, TEST_SECRET), body);
    expect(r).toEqual({ status: 202, text: "ignored: repository elsewhere/demo is not enrolled" });
    await bot.dispatcher.idle();
    expect(rec.seen).toHaveLength(0);
  });

  it("answers 202 and ignores an event it does not handle", async () => {
    const body = JSON.stringify({ ref: "v1", ref_type: "tag" });
    const r = await postRaw(bot.url, signedHeaders("create", "d-2", body, TEST_SECRET), body);
    expect(r).toEqual({ status: 202, text: 'ignored: event "create" is not handled' });
  });

  it("refuses malformed JSON and a payload missing a field it relies on with 400, storing nothing", async () => {
    const broken = '{"action": "created", ';
    const r1 = await postRaw(bot.url, signedHeaders("issue_comment", "d-3", broken, TEST_SECRET), broken);
    expect(r1.status).toBe(400);
    expect(r1.text).toMatch(/^body is not valid JSON/);
    const incomplete = JSON.stringify({ ...JSON.parse(comment.body.toString()), comment: { body: "!testme" } });
    const r2 = await postRaw(bot.url, signedHeaders("issue_comment", "d-4", incomplete, TEST_SECRET), incomplete);
    expect(r2.status).toBe(400);
    expect(r2.text).toMatch(/^payload field comment\.id: /);
    expect(await stored()).toHaveLength(0);
  });

  it("refuses other content types with 415 and a hint", async () => {
    const r = await postRaw(bot.url, { ...signedHeaders("push", "d-5", "x", TEST_SECRET), "content-type": "text/plain" }, "x");
    expect(r.status).toBe(415);
    expect(r.text).toContain("application/json");
  });

  it("verifies a form-encoded delivery over its payload field, as Gitea signs it", async () => {
    const json = comment.body.toString("utf8");
    const form = new URLSearchParams({ payload: json }).toString();
    const headers = { ...signedHeaders("issue_comment", "d-6", json, TEST_SECRET), "content-type": "application/x-www-form-urlencoded" };
    expect((await postRaw(bot.url, headers, form)).status).toBe(202);
    const wrong = { ...headers, "x-gitea-signature": hmac(TEST_SECRET, form) };
    expect((await postRaw(bot.url, { ...wrong, "x-gitea-delivery": "d-7" }, form)).status).toBe(401);
    await waitFor(() => rec.seen.length === 1, "the form delivery to be handled");
  });

  it("identifies Forgejo and Gitea 1.2x deliveries (X-*-Event-Type) the same way as 1.15", async () => {
    const json = comment.body.toString("utf8");
    const digest = hmac(TEST_SECRET, json);
    const forgejo = { "content-type": "application/json", "x-forgejo-event": "issue_comment", "x-forgejo-event-type": "pull_request_comment", "x-forgejo-delivery": "f-1", "x-forgejo-signature": digest };
    expect((await postRaw(bot.url, forgejo, json)).status).toBe(202);
    // A second, distinct comment (another id), as a Gitea 1.2x server sends it.
    const other = JSON.parse(json) as { comment: { id: number } };
    other.comment.id = 3;
    const modernBody = JSON.stringify(other, null, 2);
    const modern = signedHeaders("issue_comment", "g-1", modernBody, TEST_SECRET, { "x-gitea-event-type": "pull_request_comment" });
    expect((await postRaw(bot.url, modern, modernBody)).status).toBe(202);
    await waitFor(() => rec.seen.length === 2, "both deliveries to be handled");
    expect(rec.seen.map((s) => s.delivery).sort()).toEqual(["f-1", "g-1"]);
    expect(rec.seen.every((s) => s.event.kind === "comment" && s.event.isPull)).toBe(true);
  });

  it("treats a review comment (event pull_request_comment) as an event it does not handle", async () => {
    const body = JSON.stringify({ action: "reviewed" });
    const r = await postRaw(bot.url, signedHeaders("pull_request_comment", "r-1", body, TEST_SECRET), body);
    expect(r.text).toBe('ignored: event "pull_request_comment" is not handled');
  });

  it("answers 413 for a 6 MiB body while it streams, without waiting for the end of it", async () => {
    // The chunked body is never finished: a server that buffered it whole would never answer.
    const status = await streamUnfinished(bot.port, 6 * 1024 * 1024);
    expect(status).toBe(413);
    expect(await stored()).toHaveLength(0);
  });

  it("answers 413 at once when Content-Length already says too much", async () => {
    const r = await fetch(`${bot.url}/webhook`, {
      method: "POST",
      headers: { ...signedHeaders("push", "big", "", TEST_SECRET) },
      body: Buffer.alloc(5 * 1024 * 1024 + 1, 32),
    }).catch((err: unknown) => err as Error);
    // Either the answer arrives, or the connection closes under the upload: never a 2xx.
    if (r instanceof Response) expect(r.status).toBe(413);
    expect(await stored()).toHaveLength(0);
  });
});

describe("webhook intake without a configured secret", () => {
  it("refuses every delivery and logs how to configure one", async () => {
    const bot = await startTestBot({ overrides: { webhook: { secrets: [] } } });
    try {
      const f = fixture("003-push");
      const r = await postRaw(bot.url, sendableHeaders(f.headers), f.body);
      expect(r.status).toBe(401);
      expect(r.text).toContain("no webhook secret is configured");
      expect(bot.logs.raw.join("\n")).toContain("Set WEBHOOK_SECRET");
      expect(await bot.store.deliveries.list({ limit: 10 })).toHaveLength(0);
    } finally {
      await bot.dispose();
    }
  });
});

/**
 * Streams `size` bytes of a chunked body over a raw socket in 64 KiB pieces and never sends
 * the final chunk; resolves with the status of the server's answer.
 */
function streamUnfinished(port: number, size: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let sent = 0;
    let answered = false;
    let response = "";
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    socket.on("data", (d) => {
      response += d.toString("latin1");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
      if (m && !answered) {
        answered = true;
        resolve(Number(m[1]));
        socket.destroy();
      }
    });
    socket.on("error", (err) => (answered ? undefined : reject(err)));
    socket.on("connect", () => {
      socket.write(
        `POST /webhook HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-gitea-event: push\r\nx-gitea-signature: ${"0".repeat(64)}\r\ntransfer-encoding: chunked\r\n\r\n`,
      );
      const pump = () => {
        while (!answered && sent < size) {
          socket.write(`${chunk.length.toString(16)}\r\n`);
          socket.write(chunk);
          const ok = socket.write("\r\n");
          sent += chunk.length;
          if (!ok) {
            socket.once("drain", pump);
            return;
          }
        }
      };
      pump();
    });
  });
}
