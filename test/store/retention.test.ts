import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { ManualClock } from "../../src/clock.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { Pruner } from "../../src/store/pruner.ts";
import { startTestBot, tempDir } from "../support/bot.ts";
import { waitFor } from "../support/wait.ts";

const DAY = 86_400_000;

async function delivery(store: Store, id: string, state: "pending" | "ignored", at: number) {
  await store.deliveries.accept({ id, event: "push", action: null, repo: "recipes/a", contentKey: null, state, reason: state === "ignored" ? "test" : null, payload: null, receivedAt: at });
  return (await store.deliveries.get(id))!;
}

function runDir(dataDir: string, kind: "runs" | "jobs", id: number): string {
  const dir = join(dataDir, kind, String(id));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "log"), "a log line\n");
  return dir;
}

const newRun = { repo: "recipes/a", pr: 1, sha: "a".repeat(40), ref: "refs/pull/1/head", cloneUrl: "x", mode: "full" as const, requestedBy: "alice", commentId: null };

describe("retention: store.retentionDays", () => {
  it("prunes processed deliveries, finished pings and actions, and finished runs' and jobs' directories older than the cut; keeps the rest", async () => {
    const dataDir = tempDir();
    const store = openStore(dataDir);
    const clock = new ManualClock();
    const t0 = clock.now();
    try {
      const oldDone = await delivery(store, "old-done", "pending", t0);
      await store.deliveries.finish(oldDone.seq, "done", null, t0);
      await store.deliveries.recordHandler(oldDone.seq, "handoff", null, t0);
      await delivery(store, "old-ignored", "ignored", t0);
      const oldDead = await delivery(store, "old-dead", "pending", t0);
      await store.deliveries.finish(oldDead.seq, "dead", "boom", t0);
      await delivery(store, "old-pending", "pending", t0);
      await store.pings.enqueue({ loop: "l", role: "builder", session: "s", text: "old, delivered", receivedAt: t0, repo: "o/l", shas: ["b".repeat(40)] }, t0);
      await store.pings.enqueue({ loop: "l", role: "builder", session: "s", text: "old, queued", receivedAt: t0, repo: "o/l", shas: ["c".repeat(40)] }, t0);
      const [delivered] = (await store.pings.recent(10)).filter((p) => p.text === "old, delivered");
      await store.pings.delivered(delivered!.seq, 1, t0);
      await store.supervisor.record("s", "nudge", "old", t0);
      await store.loops.alert("force-push", "o/l", "old", t0);
      const oldRun = await store.runs.create(newRun, t0);
      await store.runs.finished(oldRun.id, "GREEN", "ok", 0, t0);
      const stillRunning = await store.runs.create(newRun, t0);
      await store.runs.started(stillRunning.id, 1, t0);
      const oldJob = await store.jobs.create({ kind: "upgrade-all", args: [], repo: "o/r", pr: 1, requestedBy: "alice" }, t0);
      await store.jobs.finish(oldJob.id, 0, "succeeded", null, t0);
      const dirs = { oldRun: runDir(dataDir, "runs", oldRun.id), running: runDir(dataDir, "runs", stillRunning.id), oldJob: runDir(dataDir, "jobs", oldJob.id), unknown: runDir(dataDir, "runs", 999) };

      clock.advance(29 * DAY);
      const recentRun = await store.runs.create(newRun, clock.now());
      await store.runs.finished(recentRun.id, "RED", "failed", 1, clock.now());
      const recentDir = runDir(dataDir, "runs", recentRun.id);
      const recent = await delivery(store, "recent-done", "pending", clock.now());
      await store.deliveries.finish(recent.seq, "done", null, clock.now());

      const pruner = new Pruner({ store: store.retention, runsDir: join(dataDir, "runs"), jobsDir: join(dataDir, "jobs"), retentionDays: 30, clock, log: pino({ level: "silent" }) });
      // Not 30 days yet: nothing goes.
      expect(Object.values(await pruner.prune()).every((n) => n === 0)).toBe(true);

      clock.advance(2 * DAY);
      expect(await pruner.prune()).toEqual({ deliveries: 2, pings: 1, supervisorActions: 1, alerts: 1, runDirs: 1, jobDirs: 1 });
      for (const id of ["old-done", "old-ignored"]) expect(await store.deliveries.get(id)).toBeNull();
      expect(await store.deliveries.handlerResults(oldDone.seq)).toEqual([]);
      expect((await store.deliveries.get("old-dead"))?.state).toBe("dead");
      expect((await store.deliveries.get("old-pending"))?.state).toBe("pending");
      expect((await store.deliveries.get("recent-done"))?.state).toBe("done");
      expect((await store.pings.recent(10)).map((p) => p.text)).toEqual(["old, queued"]);
      expect(await store.supervisor.actions(10)).toEqual([]);
      expect(await store.loops.alerts(10)).toEqual([]);
      expect([existsSync(dirs.oldRun), existsSync(dirs.oldJob)]).toEqual([false, false]);
      expect([existsSync(dirs.running), existsSync(dirs.unknown), existsSync(recentDir)]).toEqual([true, true, true]);
      // The run's row stays: the PR's history and badge still show it.
      expect((await store.runs.get(oldRun.id))?.verdict).toBe("GREEN");
    } finally {
      await store.close();
    }
  });

  it("runs in the bot on its own, from the start", async () => {
    const dataDir = tempDir();
    const store = openStore(dataDir);
    const old = await delivery(store, "forty-days-old", "pending", Date.now() - 40 * DAY);
    await store.deliveries.finish(old.seq, "done", null, Date.now() - 40 * DAY);
    await delivery(store, "fresh", "ignored", Date.now());
    await store.close();

    const bot = await startTestBot({ dataDir, overrides: { store: { retentionDays: 30 } } });
    try {
      await waitFor(async () => (await bot.store.deliveries.get("forty-days-old")) === null, "the old delivery pruned");
      expect((await bot.store.deliveries.get("fresh"))?.state).toBe("ignored");
      expect(bot.logs.lines.some((l) => l.msg === "pruned what is older than store.retentionDays")).toBe(true);
    } finally {
      await bot.dispose();
    }
  });
});
