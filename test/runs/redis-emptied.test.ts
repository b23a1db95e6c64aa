import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { finals, remoteWorld, WP, type RemoteWorld } from "../support/remote-world.ts";
import { alive } from "../support/alive.ts";
import { waitFor } from "../support/wait.ts";

let world: RemoteWorld | null = null;
afterEach(async () => {
  await world?.dispose();
  world = null;
});

const LOST = "error: ERROR: the runner engine lost the run (Redis emptied or replaced)";

describe("Redis emptied or replaced under running runs", { timeout: 90_000 }, () => {
  it.each([
    ["emptied (FLUSHALL)", (w: RemoteWorld) => w.redis.client.flushall().then(() => undefined)],
    ["replaced by an empty one", (w: RemoteWorld) => w.redis.replace()],
  ])("%s: the run ends ERROR with that reason, once; its runner stops; later runs run", async (_name, empty) => {
    world = await remoteWorld({ lockSeconds: 2 });
    const w = world;
    const { sha, run } = await w.testme("hold-1");
    const dir = await w.hostDir(run.id);
    const pid = Number(readFileSync(join(dir, "runner.pid"), "utf8"));
    await waitFor(() => w.statuses(sha).includes("pending: running"), "running");
    await empty(w);
    await waitFor(() => finals(w, sha).length === 1, "the final status", 15_000);
    expect(finals(w, sha)).toEqual([LOST]);
    // The worker sees its job gone and stops the runner: nothing runs that nobody will report.
    await waitFor(() => !alive(pid), "the runner to stop");
    const next = await w.testme("pass-2", WP);
    await waitFor(() => finals(w, next.sha, WP).length === 1, "a later run's verdict", 20_000);
    expect(finals(w, next.sha, WP)).toEqual([expect.stringMatching(/^success: GREEN/)]);
    expect(finals(w, sha)).toEqual([LOST]);
  });
});
