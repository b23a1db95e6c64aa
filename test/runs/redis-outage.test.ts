import { afterEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { finals, NC, remoteWorld, WP, type RemoteWorld } from "../support/remote-world.ts";
import { waitFor } from "../support/wait.ts";

let world: RemoteWorld | null = null;
afterEach(async () => {
  world?.redis.resume();
  await world?.dispose();
  world = null;
});

// Redis stopped (SIGSTOP: unreachable, its data kept) while a run goes on a worker and another
// waits. Once for a minute with the default lock (testme.runner.lockSeconds 30); once for more
// than twice a lock of 2 s, to show that the lock's length is not what carries it through.
async function outage(lockSeconds: number, outageMs: number): Promise<void> {
  world = await remoteWorld({ lockSeconds });
  const w = world;
  const first = await w.testme("hold-1");
  await w.hostDir(first.run.id);
  await waitFor(() => w.statuses(first.sha).includes("pending: running"), "the first run to run");

  w.redis.pause();
  const pausedAt = Date.now();
  const dashboard = () => fetch(`${w.bot.url}/`).then((r) => r.text());
  await waitFor(async () => (await dashboard()).includes("runner engine unreachable"), "the dashboard to say so", 10_000);
  // A webhook during the outage: accepted (202) and queued; its run waits.
  const second = await w.testme("pass-2", WP);
  await waitFor(() => w.statuses(second.sha, WP).length > 0, "the second run's queued status");
  expect(w.statuses(second.sha, WP)).toEqual(["pending: queued (position 1)"]);
  // The running run ends on its worker while Redis is away.
  const hostDir = await w.hostDir(first.run.id);
  await w.release(first.run.id, 0);
  await waitFor(() => existsSync(join(hostDir, "exit.json")) && Date.now() - pausedAt >= outageMs, `the run to end on its host, ${outageMs / 1000} s into the outage`, outageMs + 10_000);
  expect(finals(w, first.sha)).toEqual([]);
  expect((await w.bot.store.runs.get(second.run.id))!.state).toBe("queued");

  w.redis.resume();
  await waitFor(() => finals(w, first.sha).length === 1 && finals(w, second.sha, WP).length === 1, "both verdicts once Redis is back", 20_000);
  expect(finals(w, first.sha)).toEqual([expect.stringMatching(/^success: GREEN/)]);
  expect(finals(w, second.sha, WP)).toEqual([expect.stringMatching(/^success: GREEN/)]);
  expect(await dashboard()).not.toContain("runner engine unreachable");
  expect(w.statuses(first.sha, NC).filter((s) => s.startsWith("success"))).toHaveLength(1);
}

describe("Redis unreachable for a while", () => {
  const said = "accepts webhooks, queued runs wait, the running run finishes on its worker and reaches the PR once Redis is back";
  it(`for 60 s, with the default lock of 30 s: ${said}`, () => outage(30, 60_000), 150_000);
  it(`for 5 s, with a lock of 2 s: ${said}`, () => outage(2, 5_000), 90_000);
});
