import { afterEach, describe, expect, it } from "vitest";
import { finals, remoteWorld, WP, type RemoteWorld } from "../support/remote-world.ts";
import { waitFor } from "../support/wait.ts";

let world: RemoteWorld | null = null;
afterEach(async () => {
  await world?.dispose();
  world = null;
});

describe("runner pools", { timeout: 60_000 }, () => {
  it("a run for a pool no live worker serves waits and says so (status, dashboard, /api/runners); a worker of that pool runs it", async () => {
    world = await remoteWorld({ workers: [{ name: "small-1" }], pool: { "recipes/wordpress": "heavy" } });
    const w = world;
    const { sha, run } = await w.testme("pass-1", WP);
    await waitFor(() => w.statuses(sha, WP).includes("pending: waiting for a runner in pool heavy"), "the waiting status");
    const api = (await fetch(`${w.bot.url}/api/runners`).then((r) => r.json())) as { backend: string; hosts: Array<{ host: string; pools: string[]; concurrency: number; busy: number }>; waiting: unknown[] };
    expect(api).toMatchObject({ backend: "bullmq", waiting: [{ run: run.id, pool: "heavy" }] });
    expect(api.hosts).toEqual([expect.objectContaining({ host: "small-1", pools: ["default"], concurrency: 2, busy: 0 })]);
    const page = await fetch(`${w.bot.url}/`).then((r) => r.text());
    expect(page).toContain("waiting for a runner in pool heavy");
    expect(page).toContain("small-1");
    const metrics = await fetch(`${w.bot.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('ccci_run_pool_queue_depth{pool="heavy"} 1');
    expect(metrics).toContain("ccci_runners_live 1");

    await w.addWorker({ name: "big-1", pools: ["heavy"] });
    await waitFor(() => finals(w, sha, WP).length === 1, "the verdict from the heavy pool");
    expect(finals(w, sha, WP)).toEqual([expect.stringMatching(/^success: GREEN/)]);
    expect(w.workers[1]!.logs.join("")).toContain(`"run":${run.id}`);
  });
});
