import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunnerPort } from "../../src/runs/runner-port.ts";
import { bullmqRig, ended, localRig, params, type BackendRig } from "../support/runner-backends.ts";
import { waitFor } from "../support/wait.ts";

// One contract, both backends: what the run service relies on must hold for local wrapper
// processes and for runs on two worker processes over a real redis-server.
let nextId = 100;
const logOf = (port: RunnerPort, id: number) => port.readLog(id, 0, port.logSize(id)).toString("utf8");

describe.each([
  ["local", () => Promise.resolve(localRig())],
  ["bullmq", () => bullmqRig()],
])("runner contract: %s", { timeout: 60_000 }, (_name, makeRig) => {
  let rig: BackendRig;
  let port: RunnerPort;
  beforeAll(async () => {
    rig = await makeRig();
    port = rig.port();
  }, 60_000);
  afterAll(async () => rig?.close());

  it("offers its slots", async () => {
    await waitFor(async () => (await port.capacity()).slots === 4, "4 slots");
  });

  it("dispatch -> GREEN on exit 0, RED on a non-zero exit, the log copied home", async () => {
    const green = nextId++;
    const red = nextId++;
    expect(await port.inspect(green)).toEqual({ state: "unknown" });
    await port.dispatch(params(green, "pass-1"));
    await port.dispatch(params(red, "fail-1"));
    expect((await ended(port, green)).exit).toMatchObject({ exitCode: 0 });
    expect((await ended(port, red)).exit).toMatchObject({ exitCode: 3 });
    expect(logOf(port, red)).toContain("upgrade step failed");
    expect(logOf(port, green)).toContain("runner pass for recipes/nextcloud");
  });

  it("dispatching a run twice (at once, and again later) runs it once", async () => {
    const id = nextId++;
    const [a, b] = await Promise.all([port.dispatch(params(id, "hold-1")), port.dispatch(params(id, "hold-1"))]);
    expect([a.adopted, b.adopted]).toContain(false);
    const dir = await rig.hostDir(id);
    expect((await port.dispatch(params(id, "hold-1"))).adopted).toBe(true);
    writeFileSync(join(dir, "release"), "0");
    expect((await ended(port, id)).exit).toMatchObject({ exitCode: 0 });
    expect(logOf(port, id).match(/runner hold for/g)).toHaveLength(1);
    expect((await port.dispatch(params(id, "hold-1"))).adopted).toBe(true);
  });

  it("cancels a running run: it ends cancelled with the reason", async () => {
    const id = nextId++;
    await port.dispatch(params(id, "hang-1"));
    await rig.hostDir(id);
    await waitFor(async () => (await port.inspect(id)).state === "running", "the run to run");
    await port.cancel(id, "superseded by 1234567");
    const v = await ended(port, id);
    expect(v).toMatchObject({ exit: { cancelled: true } });
    expect(v.cancelReason).toBe("superseded by 1234567");
  });

  it("reads the log from an offset, as it grows and after the end", async () => {
    const id = nextId++;
    await port.dispatch(params(id, "gated-1"));
    const dir = await rig.hostDir(id);
    await waitFor(async () => (await port.inspect(id), logOf(port, id).includes("step 1")), "step 1 in the log");
    const first = port.logSize(id);
    writeFileSync(join(dir, "release"), "");
    await ended(port, id);
    const all = logOf(port, id);
    expect(port.readLog(id, first, 1 << 20).toString()).toBe(all.slice(first));
    expect(all.slice(first)).toContain("step 12");
    expect(port.readLog(id, 5, 10).toString()).toBe(all.slice(5, 15));
  });

  it("returns results.json", async () => {
    const id = nextId++;
    await port.dispatch(params(id, "results-1"));
    await ended(port, id);
    expect(port.results(id)).toMatchObject({ level: 2, tiers: { deploy: "pass", upgrade: "fail", backup: "skip" } });
  });

  it("a restarted bot (a new port over the same state) adopts a run in flight and sees its end", async () => {
    const id = nextId++;
    await port.dispatch(params(id, "hold-2"));
    const dir = await rig.hostDir(id);
    await waitFor(async () => (await port.inspect(id)).state === "running", "the run to run");
    const restarted = rig.port();
    await waitFor(async () => (await restarted.active()).includes(id), "the run among the active ones");
    writeFileSync(join(dir, "release"), "0");
    expect((await ended(restarted, id)).exit).toMatchObject({ exitCode: 0 });
    // A worker keeps nothing of a run it has handed back.
    if (rig.name === "bullmq") await waitFor(() => !existsSync(dir), "the host to clean up");
  });
});
