import { afterEach, describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { finals, remoteWorld, type RemoteWorld } from "../support/remote-world.ts";
import { alive } from "../support/alive.ts";
import { waitFor } from "../support/wait.ts";
import { killWorker } from "../support/worker-process.ts";

let world: RemoteWorld | null = null;
afterEach(async () => {
  await world?.dispose();
  world = null;
});

describe("a runner host dies mid-run (worker SIGKILLed)", { timeout: 60_000 }, () => {
  it("ends the run ERROR 'runner host lost' within the lock duration, once, never rerun elsewhere; its runner stops", async () => {
    const lockMs = 2000;
    world = await remoteWorld({ lockSeconds: lockMs / 1000 });
    const w = world;
    const { sha, run } = await w.testme("hold-1");
    const dir = await w.hostDir(run.id);
    await waitFor(() => w.statuses(sha).includes("pending: running"), "running");
    const host = w.workers.find((x) => dir.startsWith(x.dir))!;
    const other = w.workers.find((x) => x !== host)!;
    const runner = Number(readFileSync(join(dir, "runner.pid"), "utf8"));
    const killedAt = Date.now();
    await killWorker(host, "SIGKILL");
    await waitFor(() => finals(w, sha).length > 0, "the final status", 10_000);
    // The lock duration, plus the outbox's write to Gitea.
    expect(Date.now() - killedAt).toBeLessThan(lockMs + 1000);
    expect(finals(w, sha)).toEqual(["error: ERROR: runner host lost"]);
    // The wrapper on the lost host saw its worker go and stopped the runner.
    await waitFor(() => !alive(runner), "the lost host's runner to stop");
    // Past BullMQ's own stall check (which fails the job: maxStalledCount 0), nothing reran it,
    // no second final status came, and the job left Redis.
    await waitFor(async () => (await w.redis.client.exists(`ccci:runs-default:run-${run.id}`)) === 0, "the job to leave Redis", 10_000);
    expect(existsSync(other.runDir(run.id))).toBe(false);
    expect(finals(w, sha)).toEqual(["error: ERROR: runner host lost"]);
    const recorded = await waitFor(async () => {
      const r = await w.bot.store.runs.get(run.id);
      return r?.state === "finished" ? r : null;
    }, "the run to be recorded finished");
    expect(recorded).toMatchObject({ verdict: "ERROR", reason: "runner host lost" });
  });
});
