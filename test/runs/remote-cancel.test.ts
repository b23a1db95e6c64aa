import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { finals, NC, remoteWorld, type RemoteWorld } from "../support/remote-world.ts";
import { alive } from "../support/alive.ts";
import { waitFor } from "../support/wait.ts";

let world: RemoteWorld | null = null;
afterEach(async () => {
  await world?.dispose();
  world = null;
});

/** The runner's pid on its host, once it runs. */
async function runnerOf(w: RemoteWorld, runId: number): Promise<number> {
  const dir = await w.hostDir(runId);
  return Number(readFileSync(join(dir, "runner.pid"), "utf8"));
}

describe("cancel and supersede reach a run on another host", { timeout: 60_000 }, () => {
  it("a new head on the PR stops the old head's run on its worker within 2 s; its status says why", async () => {
    world = await remoteWorld();
    const w = world;
    const { sha, run, number } = await w.testme("hang-1");
    const pid = await runnerOf(w, run.id);
    const next = "d".repeat(40);
    const at = Date.now();
    await w.emu.pushToPull(NC, number, next);
    await waitFor(() => !alive(pid), "the runner on the worker to stop", 5_000);
    expect(Date.now() - at).toBeLessThan(2000);
    await waitFor(() => finals(w, sha).length === 1, "the old head's final status");
    expect(finals(w, sha)).toEqual([`error: ERROR: superseded by ${next.slice(0, 7)}`]);
  });

  it("/cancel stops the run on its worker within 2 s", async () => {
    world = await remoteWorld();
    const w = world;
    const { sha, run, number } = await w.testme("hang-2");
    const pid = await runnerOf(w, run.id);
    const at = Date.now();
    await w.emu.comment(NC, number, "alice", "/cancel");
    await waitFor(() => !alive(pid), "the runner on the worker to stop", 5_000);
    expect(Date.now() - at).toBeLessThan(2000);
    await waitFor(() => finals(w, sha).length === 1, "the final status");
    expect(finals(w, sha)).toEqual(["error: ERROR: cancelled by @alice"]);
  });
});
