import { afterEach, describe, expect, it } from "vitest";
import { fixture, sendableHeaders, FIXTURE_SECRET } from "../support/fixtures.ts";
import { startTestBot, TEST_SECRET, TEST_TOKEN, type TestBot } from "../support/bot.ts";
import { postRaw, signedHeaders } from "../support/post.ts";
import type { Handler } from "../../src/handlers/handler.ts";
import { waitFor } from "../support/wait.ts";
import { Tmux } from "../../src/supervisor/tmux.ts";

describe("health, readiness, metrics and logs", () => {
  let bot: TestBot;
  afterEach(() => bot.dispose());

  it("answers /healthz and /readyz, and /readyz turns 503 once the store is gone", async () => {
    bot = await startTestBot({ handlers: () => [] });
    expect(await (await fetch(`${bot.url}/healthz`)).text()).toBe("ok\n");
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
    await bot.store.close();
    const r = await fetch(`${bot.url}/readyz`);
    expect(r.status).toBe(503);
  });

  it("counts deliveries by event and outcome, ack latency, failures and the outbox backlog", async () => {
    const boom: Handler = { name: "boom", kinds: ["push"], handle: async () => Promise.reject(new Error("nope")) };
    bot = await startTestBot({ overrides: { webhook: { secrets: [FIXTURE_SECRET] }, dispatcher: { maxAttempts: 1 } }, handlers: () => [boom] });
    const push = fixture("003-push");
    await postRaw(bot.url, sendableHeaders(push.headers), push.body);
    await postRaw(bot.url, sendableHeaders(push.headers), push.body);
    await postRaw(bot.url, { ...sendableHeaders(push.headers), "x-gitea-signature": "0".repeat(64) }, push.body);
    await waitFor(async () => (await bot.store.deliveries.count("dead")) === 1, "the failing delivery to be parked");
    await bot.outbox.enqueue("k1", "o/r#1", { op: "addReaction", owner: "o", repo: "r", commentId: 1, reaction: "eyes" });
    const text = await (await fetch(`${bot.url}/metrics`)).text();
    expect(text).toContain('ccci_deliveries_total{event="push",outcome="accepted"} 1');
    expect(text).toContain('ccci_deliveries_total{event="push",outcome="duplicate"} 1');
    expect(text).toContain('ccci_deliveries_total{event="unknown",outcome="rejected_401"} 1');
    expect(text).toMatch(/ccci_ack_latency_seconds_count 3/);
    expect(text).toContain('ccci_dispatcher_failures_total{handler="boom"} 1');
    expect(text).toContain("ccci_dead_letters 1");
    expect(text).toMatch(/ccci_outbox_backlog [01]/);
  });

  it("counts events outside the known set as other, so made-up event names do not grow /metrics", async () => {
    bot = await startTestBot({ handlers: () => [] });
    const send = (event: string, i: number) => {
      const body = JSON.stringify({ n: i });
      return postRaw(bot.url, signedHeaders(event, `made-up-${i}`, body, TEST_SECRET), body);
    };
    // One of each label the intake can emit for such deliveries, before measuring.
    expect((await send("made-up-warmup", -1)).status).toBe(202);
    const before = await (await fetch(`${bot.url}/metrics`)).text();
    for (let i = 0; i < 2000; i += 50) {
      const batch = await Promise.all(Array.from({ length: 50 }, (_, j) => send(`made-up-${i + j}`, i + j)));
      expect(batch.every((r) => r.status === 202)).toBe(true);
    }
    const after = await (await fetch(`${bot.url}/metrics`)).text();
    expect(after).toContain('ccci_deliveries_total{event="other",outcome="ignored"} 2001');
    expect(after).not.toContain("made-up");
    // Only the counts change: the same series, the same size give or take their digits.
    const series = (text: string) => text.split("\n").filter((l) => !l.startsWith("#")).map((l) => l.replace(/ [0-9.e+-]+$/, ""));
    expect(series(after)).toEqual(series(before));
    expect(Math.abs(after.length - before.length)).toBeLessThan(200);
  });

  it("logs JSON with the delivery id on every line about a delivery, and never the token or secret", async () => {
    const leaky: Handler = {
      name: "leaky",
      kinds: ["comment"],
      handle: async () => Promise.reject(new Error(`git clone https://ci:${TEST_TOKEN}@git.example/x.git failed`)),
    };
    bot = await startTestBot({ handlers: () => [leaky], overrides: { dispatcher: { maxAttempts: 1 } } });
    const body = fixture("004-issue_comment-created").body.toString().replaceAll("e2e-org/demo", "recipes/demo");
    await postRaw(bot.url, signedHeaders("issue_comment", "leak-1", body, "test-webhook-secret"), body);
    await waitFor(async () => (await bot.store.deliveries.get("leak-1"))?.state === "dead", "the delivery to fail");
    const about = bot.logs.lines.filter((l) => l.delivery === "leak-1");
    expect(about.map((l) => l.msg)).toEqual(expect.arrayContaining(["delivery accepted", "handler failed"]));
    const all = bot.logs.raw.join("\n");
    expect(all).toContain("[redacted]");
    expect(all).not.toContain(TEST_TOKEN);
    expect(all).not.toContain("test-webhook-secret");
    const stored = await bot.store.deliveries.get("leak-1");
    expect(stored?.lastError).toBe("leaky: git clone https://ci:[redacted]@git.example/x.git failed");
  });
});

describe("sessions API", () => {
  it("lists supervised sessions and pauses or resumes one only with the operator token", async () => {
    const token = "operator-token-0123456789";
    const socket = `ccci-api-${process.pid}`;
    const bot = await startTestBot({
      supervise: false,
      handlers: () => [],
      overrides: { server: { operatorToken: token }, supervisor: { tmuxSocket: socket, orchestrator: { session: "orch-api", start: ["true"] } } },
    });
    try {
      const post = (verb: string, auth?: string) =>
        fetch(`${bot.url}/api/sessions/orch-api/${verb}`, { method: "POST", headers: auth ? { authorization: auth } : {} });
      expect((await post("pause")).status).toBe(401);
      expect((await post("pause", "Bearer wrong-token-wrong-token")).status).toBe(401);
      expect((await post("pause", `Bearer ${token}`)).status).toBe(200);
      expect((await fetch(`${bot.url}/api/sessions/nope/pause`, { method: "POST", headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
      const body = (await (await fetch(`${bot.url}/api/sessions`)).json()) as { sessions: Array<{ name: string; state: { paused: boolean }; actions: Array<{ reason: string }> }> };
      expect(body.sessions).toEqual([expect.objectContaining({ name: "orch-api", state: expect.objectContaining({ paused: true }), actions: [expect.objectContaining({ reason: "pause" })] })]);
      expect((await post("resume", `Bearer ${token}`)).status).toBe(200);
      expect(await (await fetch(`${bot.url}/metrics`)).text()).toContain('ccci_supervisor_actions_total{reason="resume"} 1');
    } finally {
      await bot.dispose();
      await new Tmux({ socketName: socket }).killServer();
    }
  });

  it("refuses operator calls when no operator token is configured", async () => {
    const bot = await startTestBot({ supervise: false, handlers: () => [], overrides: { supervisor: { orchestrator: { session: "orch-x", start: ["true"] } } } });
    try {
      const r = await fetch(`${bot.url}/api/sessions/orch-x/pause`, { method: "POST", headers: { authorization: "Bearer anything-at-all-here" } });
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: string }).error).toContain("set server.operatorToken");
    } finally {
      await bot.dispose();
    }
  });
});
