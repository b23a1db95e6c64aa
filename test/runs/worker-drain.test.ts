import { afterEach, describe, expect, it } from "vitest";
import { finals, remoteWorld, type RemoteWorld } from "../support/remote-world.ts";
import { waitFor } from "../support/wait.ts";

let world: RemoteWorld | null = null;
afterEach(async () => {
  await world?.dispose();
  world = null;
});

// SIGTERM drains a worker: it offers no slot and takes no new run, lets the runs it has finish,
// and cancels those still going after drainSeconds (ERROR "runner host shutting down").
describe("a worker stopped with SIGTERM drains", { timeout: 90_000 }, () => {
  it("takes no new run, finishes the one it runs, exits 0; the waiting run goes to the next host", async () => {
    world = await remoteWorld({ workers: [{ drainSeconds: 60 }] });
    const w = world;
    const first = await w.testme("hold-1");
    await w.hostDir(first.run.id);
    const draining = w.workers[0]!;
    draining.child.kill("SIGTERM");
    await waitFor(async () => (await w.bot.runner.capacity()).slots === 0, "the draining host to offer no slot");
    const second = await w.testme("pass-2", "recipes/wordpress");
    await waitFor(() => w.statuses(second.sha, "recipes/wordpress").includes("pending: waiting for a runner in pool default"), "the second run to wait");
    await w.release(first.run.id, 0);
    expect(await draining.exited).toBe(0);
    await waitFor(() => finals(w, first.sha).length === 1, "the first run's verdict");
    expect(finals(w, first.sha)).toEqual([expect.stringMatching(/^success: GREEN/)]);
    expect(finals(w, second.sha, "recipes/wordpress")).toEqual([]);
    const next = await w.addWorker();
    await waitFor(() => finals(w, second.sha, "recipes/wordpress").length === 1, "the second run's verdict on the next host");
    expect(finals(w, second.sha, "recipes/wordpress")).toEqual([expect.stringMatching(/^success: GREEN/)]);
    expect(next.logs.join("")).toContain(`"run":${second.run.id}`);
  });

  it("cancels what still runs after drainSeconds: ERROR 'runner host shutting down', then exits 0", async () => {
    world = await remoteWorld({ workers: [{ drainSeconds: 1 }] });
    const w = world;
    const { sha, run } = await w.testme("hang-1");
    await w.hostDir(run.id);
    w.workers[0]!.child.kill("SIGTERM");
    expect(await w.workers[0]!.exited).toBe(0);
    await waitFor(() => finals(w, sha).length === 1, "the verdict");
    expect(finals(w, sha)).toEqual(["error: ERROR: runner host shutting down"]);
  });
});
