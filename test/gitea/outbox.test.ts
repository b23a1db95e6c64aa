import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { pino } from "pino";
import { systemClock } from "../../src/clock.ts";
import { GiteaClient } from "../../src/gitea/client.ts";
import { GiteaOutbox } from "../../src/gitea/outbox.ts";
import { createMetrics } from "../../src/metrics.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { tempDir } from "../support/bot.ts";
import { waitFor } from "../support/wait.ts";

const GITEA = "http://gitea.test";
const API = `${GITEA}/api/v1`;
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Seen {
  path: string;
  body: Record<string, unknown>;
  answered: number;
}

/** Answers POST /statuses with the given codes in turn (then 201), recording every call. */
function statusEndpoint(codes: number[], seen: Seen[]) {
  return http.post(`${API}/repos/:owner/:repo/statuses/:sha`, async ({ request, params }) => {
    const body = (await request.json()) as Record<string, unknown>;
    const status = codes.shift() ?? 201;
    seen.push({ path: `${String(params.repo)}@${String(params.sha)}`, body, answered: status });
    return HttpResponse.json(status === 201 ? { id: seen.length, status: body.state } : { message: "boom" }, { status });
  });
}

function makeOutbox(store: Store, botUser = "ci-bot") {
  const metrics = createMetrics();
  const outbox = new GiteaOutbox({
    store: store.outbox,
    gitea: new GiteaClient({ url: GITEA, token: "tok-123456", metrics }),
    botUser: () => botUser,
    clock: systemClock,
    log: pino({ level: process.env.DBG ? "debug" : "silent" }),
    metrics,
    backoffMs: 2,
    maxBackoffMs: 20,
    concurrency: 4,
    pollMs: 50,
  });
  outbox.start();
  return { outbox, metrics };
}

const pending = { op: "setStatus", owner: "o", repo: "r", sha: "a".repeat(40), state: "pending", context: "cc-ci/testme", description: "queued" } as const;
const success = { ...pending, state: "success", description: "GREEN in 1m" } as const;

describe("outbox", () => {
  it("retries a write that got a 500 until it succeeds, sends it once, and ignores the same key again", async () => {
    const seen: Seen[] = [];
    server.use(statusEndpoint([500, 502], seen));
    const store = openStore(tempDir());
    const { outbox, metrics } = makeOutbox(store);
    expect(await outbox.enqueue("status:1:pending", "o/r#1", pending)).toBe(true);
    await waitFor(async () => (await store.outbox.backlog()) === 0, "the write to go out");
    expect(await outbox.enqueue("status:1:pending", "o/r#1", pending)).toBe(false);
    await outbox.idle();
    expect(seen.map((s) => s.answered)).toEqual([500, 502, 201]);
    expect((await metrics.registry.getSingleMetricAsString("ccci_outbox_writes_total"))).toContain('ccci_outbox_writes_total{op="setStatus",outcome="retry"} 2');
    await outbox.stop();
    await store.close();
  });

  it("survives a restart: a write that kept failing before the stop goes out after it, once", async () => {
    const seen: Seen[] = [];
    const dir = tempDir();
    let giteaUp = false;
    server.use(
      http.post(`${API}/repos/:owner/:repo/statuses/:sha`, async ({ request }) => {
        const body = (await request.json()) as Record<string, unknown>;
        const status = giteaUp ? 201 : 503;
        seen.push({ path: "", body, answered: status });
        return HttpResponse.json({ message: "x" }, { status });
      }),
      // After a restart the bot first looks whether the write is already there (it may have
      // been in flight when the process ended); here it is not.
      http.get(`${API}/repos/:owner/:repo/commits/:ref/status`, () => HttpResponse.json({ state: "", statuses: [] })),
    );
    let store = openStore(dir);
    let { outbox } = makeOutbox(store);
    await outbox.enqueue("status:2:success", "o/r#2", success);
    await waitFor(() => seen.length >= 2, "a first attempt and a retry");
    await outbox.stop();
    await store.close();
    expect(seen.every((s) => s.answered === 503)).toBe(true);

    giteaUp = true;
    store = openStore(dir);
    expect(await store.outbox.backlog()).toBe(1);
    ({ outbox } = makeOutbox(store));
    await waitFor(async () => (await store.outbox.backlog()) === 0, "the write to go out after the restart");
    await outbox.stop();
    expect(seen.filter((s) => s.answered === 201)).toHaveLength(1);
    expect(seen.at(-1)!.answered).toBe(201);
    await store.close();
  });

  it("keeps the order of one PR's writes while an earlier one waits to retry, without holding up other PRs", async () => {
    const seen: Seen[] = [];
    server.use(statusEndpoint([500, 500, 500], seen));
    const store = openStore(tempDir());
    const { outbox } = makeOutbox(store);
    await outbox.enqueue("a:pending", "o/r#1", pending);
    await outbox.enqueue("a:success", "o/r#1", success);
    await outbox.enqueue("b:pending", "o/r#2", { ...pending, sha: "b".repeat(40) });
    await waitFor(async () => (await store.outbox.backlog()) === 0, "all writes to go out");
    await outbox.stop();
    const delivered = seen.filter((s) => s.answered === 201);
    const prOne = delivered.filter((s) => s.path === `r@${"a".repeat(40)}`).map((s) => s.body.state);
    expect(prOne).toEqual(["pending", "success"]);
    expect(delivered).toHaveLength(3);
    await store.close();
  });

  it("records a refusal (422) as failed without retrying, and moves on to the lane's next write", async () => {
    const seen: Seen[] = [];
    server.use(statusEndpoint([422], seen));
    const store = openStore(tempDir());
    const { outbox } = makeOutbox(store);
    await outbox.enqueue("c:1", "o/r#3", pending);
    await outbox.enqueue("c:2", "o/r#3", success);
    await waitFor(async () => (await store.outbox.backlog()) === 0, "the lane to drain");
    await outbox.stop();
    expect(seen.map((s) => s.answered)).toEqual([422, 201]);
    const items = await store.outbox.list(10);
    expect(items.find((i) => i.key === "c:1")).toMatchObject({ state: "failed", lastError: expect.stringContaining("HTTP 422") });
    await store.close();
  });

  it("upserts the one result comment: creates it first, then edits the bot's own comment carrying the marker", async () => {
    const comments: Array<{ id: number; body: string; user: { login: string } }> = [
      { id: 1, body: "<!-- cc-ci:result --> quoted by a human", user: { login: "alice" } },
    ];
    const writes: string[] = [];
    server.use(
      http.get(`${API}/repos/o/r/issues/7/comments`, () => HttpResponse.json(comments)),
      http.post(`${API}/repos/o/r/issues/7/comments`, async ({ request }) => {
        const { body } = (await request.json()) as { body: string };
        comments.push({ id: 2, body, user: { login: "ci-bot" } });
        writes.push("create");
        return HttpResponse.json({ id: 2, body }, { status: 201 });
      }),
      http.patch(`${API}/repos/o/r/issues/comments/:id`, async ({ request, params }) => {
        const { body } = (await request.json()) as { body: string };
        comments.find((c) => c.id === Number(params.id))!.body = body;
        writes.push(`edit ${String(params.id)}`);
        return HttpResponse.json({ id: Number(params.id), body });
      }),
    );
    const store = openStore(tempDir());
    const { outbox } = makeOutbox(store);
    const upsert = (body: string) => ({ op: "upsertComment", owner: "o", repo: "r", number: 7, marker: "<!-- cc-ci:result -->", body: `<!-- cc-ci:result -->\n${body}` }) as const;
    await outbox.enqueue("u:1", "o/r#7", upsert("RED"));
    await outbox.enqueue("u:2", "o/r#7", upsert("GREEN"));
    await waitFor(async () => (await store.outbox.backlog()) === 0, "both upserts");
    await outbox.stop();
    expect(writes).toEqual(["create", "edit 2"]);
    expect(comments[1]!.body).toContain("GREEN");
    expect(comments[0]!.body).toBe("<!-- cc-ci:result --> quoted by a human");
    await store.close();
  });

  describe("a write that may have reached Gitea just before the process died", () => {
    // Queued by an earlier process, which sent it and died before recording that it had.
    async function leftByEarlierProcess(key: string, write: Record<string, unknown>) {
      const dir = tempDir();
      const earlier = openStore(dir);
      await earlier.outbox.enqueue({ key, lane: "o/r#7", op: String(write.op), args: write }, Date.now());
      await earlier.close();
      return openStore(dir);
    }

    it("is a status found in Gitea's combined status, and not posted again", async () => {
      const posts: unknown[] = [];
      server.use(
        http.get(`${API}/repos/o/r/commits/:ref/status`, () =>
          HttpResponse.json({ state: "pending", statuses: [{ context: "cc-ci/testme", status: "pending", description: "queued", target_url: "" }] }),
        ),
        http.post(`${API}/repos/o/r/statuses/:sha`, async ({ request }) => {
          posts.push(await request.json());
          return HttpResponse.json({}, { status: 201 });
        }),
      );
      const store = await leftByEarlierProcess("status:1:queued", pending);
      const { outbox } = makeOutbox(store);
      await waitFor(async () => (await store.outbox.backlog()) === 0, "the write to be settled");
      await outbox.stop();
      expect(posts).toEqual([]);
      expect((await store.outbox.list(1))[0]).toMatchObject({ state: "done", result: { alreadyMade: true } });
      await store.close();
    });

    it("is a reply found by the hidden key it carries, and not posted again; one that is not there is posted", async () => {
      const comments: Array<{ id: number; body: string; user: { login: string } }> = [
        { id: 1, body: "@alice thanks for asking\n\n<!-- cc-ci-bot:reply refused:o/r:5 -->", user: { login: "ci-bot" } },
      ];
      server.use(
        http.get(`${API}/repos/o/r/issues/7/comments`, () => HttpResponse.json(comments)),
        http.post(`${API}/repos/o/r/issues/7/comments`, async ({ request }) => {
          const { body } = (await request.json()) as { body: string };
          comments.push({ id: comments.length + 1, body, user: { login: "ci-bot" } });
          return HttpResponse.json({ id: comments.length, body }, { status: 201 });
        }),
      );
      const reply = { op: "createComment", owner: "o", repo: "r", number: 7, body: "@alice thanks for asking" };
      const store = await leftByEarlierProcess("refused:o/r:5", reply);
      await store.outbox.enqueue({ key: "refused:o/r:6", lane: "o/r#7", op: "createComment", args: reply }, Date.now());
      const { outbox } = makeOutbox(store);
      await waitFor(async () => (await store.outbox.backlog()) === 0, "both writes to be settled");
      await outbox.stop();
      expect(comments.map((c) => c.body)).toEqual([
        "@alice thanks for asking\n\n<!-- cc-ci-bot:reply refused:o/r:5 -->",
        "@alice thanks for asking\n\n<!-- cc-ci-bot:reply refused:o/r:6 -->",
      ]);
      await store.close();
    });
  });
});
