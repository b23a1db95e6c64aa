import { afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { DB_FILE } from "../../src/store/db.ts";
import type { PushEvent } from "../../src/webhooks/events.ts";
import type { Handler } from "../../src/handlers/handler.ts";
import { fixture, sendableHeaders, FIXTURE_SECRET } from "../support/fixtures.ts";
import { startTestBot, tempDir, TEST_TOKEN, type TestBot } from "../support/bot.ts";
import { postRaw, signedHeaders } from "../support/post.ts";
import { waitFor } from "../support/wait.ts";
import { BIN } from "../support/child-bot.ts";

const run = promisify(execFile);

describe("dispatcher", () => {
  let bot: TestBot | undefined;
  afterEach(async () => {
    await bot?.dispose();
    bot = undefined;
  });

  it("keeps a throwing handler from stopping another handler of the delivery or later deliveries, parks it as a dead letter, and replays it", async () => {
    const dataDir = tempDir();
    let failing = true;
    const calls = { flaky: 0, steady: [] as string[] };
    const flaky: Handler = {
      name: "flaky",
      kinds: ["comment"],
      async handle() {
        calls.flaky++;
        if (failing) throw new Error("gitea said no");
      },
    };
    const steady: Handler = {
      name: "steady",
      kinds: ["comment", "push"],
      async handle(_e, ctx) {
        calls.steady.push(ctx.deliveryId);
      },
    };
    bot = await startTestBot({
      dataDir,
      overrides: { webhook: { secrets: [FIXTURE_SECRET] }, dispatcher: { maxAttempts: 3, backoffMs: 5 } },
      handlers: () => [flaky, steady],
    });
    const comment = fixture("004-issue_comment-created");
    const push = fixture("003-push");
    const commentId = comment.headers["x-gitea-delivery"]!;
    expect((await postRaw(bot.url, sendableHeaders(comment.headers), comment.body)).status).toBe(202);
    expect((await postRaw(bot.url, sendableHeaders(push.headers), push.body)).status).toBe(202);

    const dead = await waitFor(async () => {
      const r = await fetch(`${bot!.url}/api/deliveries?state=dead`);
      const j = (await r.json()) as { deliveries: Array<{ id: string; attempts: number; lastError: string }> };
      return j.deliveries.length === 1 ? j.deliveries[0] : null;
    }, "the delivery to become a dead letter");
    expect(dead).toMatchObject({ id: commentId, attempts: 3, lastError: "flaky: gitea said no" });
    expect(calls.flaky).toBe(3);
    // The other handler of the same delivery ran once, and the later delivery was handled too.
    expect(calls.steady.sort()).toEqual([push.headers["x-gitea-delivery"], commentId].sort());
    expect(bot.logs.lines.some((l) => l.delivery === commentId && l.msg === "handler failed")).toBe(true);
    const detail = (await (await fetch(`${bot.url}/api/deliveries/${commentId}`)).json()) as { handlers: unknown[] };
    expect(detail.handlers).toEqual([
      { handler: "flaky", state: "failed", attempts: 3, lastError: "gitea said no" },
      { handler: "steady", state: "done", attempts: 1, lastError: null },
    ]);

    // The cause is fixed; the operator replays the dead letter from the command line.
    failing = false;
    const config = join(dataDir, "cfg.yaml");
    writeFileSync(config, `gitea: { url: "http://127.0.0.1:9", token: "${TEST_TOKEN}" }\ndataDir: ${JSON.stringify(dataDir)}\n`);
    const out = await run(process.execPath, [BIN, "replay", commentId, "--config", config], { env: { ...process.env, CC_CI_BOT_CONFIG: "" } });
    expect(out.stdout).toContain(`delivery ${commentId} queued again (was dead: flaky: gitea said no)`);
    await waitFor(async () => (await bot!.store.deliveries.get(commentId))?.state === "done", "the replayed delivery to be handled");
    expect(calls.flaky).toBe(4);
    expect(calls.steady).toHaveLength(2); // the handler that had succeeded was not run again
  });

  it("replay refuses an unknown id and a delivery that is not dead, with exit status 1", async () => {
    const dataDir = tempDir();
    bot = await startTestBot({ dataDir, overrides: { webhook: { secrets: [FIXTURE_SECRET] } }, handlers: () => [] });
    const push = fixture("003-push");
    await postRaw(bot.url, sendableHeaders(push.headers), push.body);
    await bot.stop();
    const config = join(dataDir, "cfg.yaml");
    writeFileSync(config, `gitea: { url: "http://127.0.0.1:9", token: x }\ndataDir: ${JSON.stringify(dataDir)}\n`);
    const unknown = await run(process.execPath, [BIN, "replay", "no-such-id", "--config", config]).catch((e: { code: number; stderr: string }) => e);
    expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('no delivery "no-such-id"') });
    const done = await run(process.execPath, [BIN, "replay", push.headers["x-gitea-delivery"]!, "--config", config]).catch((e: { code: number; stderr: string }) => e);
    expect(done).toMatchObject({ code: 1, stderr: expect.stringContaining("is done; only dead letters can be replayed") });
  });

  it("stores the normalised event of a delivery, and still handles one an earlier version stored as a raw payload", async () => {
    const dataDir = tempDir();
    const seen: PushEvent[] = [];
    const recorder: Handler = { name: "recorder", kinds: ["push"], handle: async (e) => void seen.push(e as PushEvent) };
    const start = () => startTestBot({ dataDir, overrides: { webhook: { secrets: [FIXTURE_SECRET] } }, handlers: () => [recorder] });
    bot = await start();
    await bot.stop();
    // What an earlier version left behind: a pending delivery whose payload is the raw body.
    const legacy = fixture("003-push");
    const db = new Database(join(dataDir, DB_FILE));
    const { lastInsertRowid } = db
      .prepare(`INSERT INTO deliveries (id, event, repo, state, received_at, next_at) VALUES ('legacy-1', 'push', 'e2e-org/demo', 'pending', 1, 1)`)
      .run();
    db.prepare(`INSERT INTO delivery_bodies (seq, body) VALUES (?, ?)`).run(lastInsertRowid, legacy.body);
    db.close();

    bot = await start();
    const fresh = fixture("006-push");
    expect((await postRaw(bot.url, sendableHeaders(fresh.headers), fresh.body)).status).toBe(202);
    await waitFor(async () => seen.length === 2, "both deliveries to be handled");
    const after = (f: { body: Buffer }) => (JSON.parse(f.body.toString("utf8")) as { after: string }).after;
    expect(seen.map((e) => e.after)).toEqual([after(legacy), after(fresh)]);
    await bot.stop();
    const check = new Database(join(dataDir, DB_FILE), { readonly: true });
    const stored = check.prepare(`SELECT e.event FROM delivery_events e JOIN deliveries d USING (seq) WHERE d.id = ?`).get(fresh.headers["x-gitea-delivery"]) as { event: string };
    expect(JSON.parse(stored.event)).toEqual(seen[1]);
    expect(check.prepare(`SELECT count(*) AS n FROM delivery_bodies`).get()).toEqual({ n: 1 });
    check.close();
  });

  it("keeps no parsed event behind once deliveries are handled, whatever order commits and lookups take", async () => {
    const handled = new Set<string>();
    const recorder: Handler = { name: "recorder", kinds: ["push"], handle: async (_e, ctx) => void handled.add(ctx.deliveryId) };
    bot = await startTestBot({ overrides: { webhook: { secrets: [FIXTURE_SECRET] } }, handlers: () => [recorder] });
    const template = fixture("003-push").body.toString("utf8");
    const before = (JSON.parse(template) as { after: string }).after;
    const sends = Array.from({ length: 300 }, (_, i) => {
      // Every tenth one is a redelivery (a new id, the same content) of the one before it.
      const n = i % 10 === 9 ? i - 1 : i;
      const body = template.replaceAll(before, n.toString(16).padStart(40, "0"));
      return postRaw(bot!.url, signedHeaders("push", `burst-${i}`, body, FIXTURE_SECRET), body);
    });
    const statuses = (await Promise.all(sends)).map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(270);
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    await waitFor(async () => handled.size === 270 && (await bot!.store.deliveries.count("pending")) === 0, "every stored delivery to be handled");
    expect(bot.dispatcher.primed).toBe(0);
  });
});
