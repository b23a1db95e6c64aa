import { afterEach, describe, expect, it } from "vitest";
import { createHook } from "node:async_hooks";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import { LoopRepo } from "../../src/demo/loop-repo.ts";
import { Lifecycle } from "../../src/util/lifecycle.ts";
import { Agents } from "../support/agents.ts";
import { startTestBot, tempDir, TEST_SECRET } from "../support/bot.ts";
import { pushAndDeliver } from "../support/loop-push.ts";
import { waitFor } from "../support/wait.ts";

const REPO = "ops/cc-ci";

/**
 * Every timer, interval, socket, server, child process and worker opened while it watches and
 * not closed since, unref'd ones included (process.getActiveResourcesInfo() does not list those,
 * and the bot unrefs its timers). Read through async_hooks: init when opened, destroy when closed.
 */
function watchHandles() {
  const open = new Map<number, string>();
  let watching = true;
  const kinds = /^(Timeout|Immediate|TCPWRAP|TCPSERVERWRAP|PIPEWRAP|PIPESERVERWRAP|PROCESSWRAP|TTYWRAP|UDPWRAP|FSEVENTWRAP|STATWATCHER|SIGNALWRAP|WORKER|MESSAGEPORT|HTTPINCOMINGMESSAGE|HTTPCLIENTREQUEST)$/;
  const hook = createHook({
    init(id, type) {
      if (!watching || !kinds.test(type)) return;
      // AbortSignal.timeout()'s deadline of a finished request is a weak timer Node drops with
      // its signal; it holds nothing open and is not a part of the bot.
      if (type === "Timeout" && /setWeakAbortSignalTimeout/.test(new Error().stack ?? "")) return;
      open.set(id, type);
    },
    destroy(id) {
      open.delete(id);
    },
  }).enable();
  return {
    /** What is still open, as counts by kind, e.g. ["Timeout x1"]. */
    left(): string[] {
      const counts = new Map<string, number>();
      for (const kind of open.values()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
      return [...counts].map(([kind, n]) => `${kind} x${n}`).sort();
    },
    /** From now on only closings count: the test's own waiting opens timers too. */
    freeze: () => void (watching = false),
    stop: () => void hook.disable(),
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("the bot's lifecycle", () => {
  it("leaves no timer, interval, child process or socket of its own once stopped, after serving a push, a ping and the supervisor's ticks", async () => {
    const dir = tempDir();
    const repo = new LoopRepo(dir);
    const agents = new Agents(dir);
    cleanups.push(() => agents.close());
    await agents.start("lc-builder");
    await agents.start("lc-adversary");
    const emu = await new GiteaEmulator().start();
    cleanups.push(() => emu.close());
    emu.state.addUser("agent");
    emu.state.addRepo(REPO);
    const handles = watchHandles();
    cleanups.push(async () => handles.stop());

    const bot = await startTestBot({
      dataDir: `${dir}/data`,
      overrides: {
        gitea: { url: emu.url },
        loops: [
          {
            name: "cc-ci",
            repo: REPO,
            cloneUrl: repo.bare,
            sessions: { builder: { tmux: "lc-builder", start: agents.argv("lc-builder") }, adversary: { tmux: "lc-adversary", start: agents.argv("lc-adversary") } },
          },
        ],
        supervisor: { tmuxSocket: agents.socket, tickSeconds: 1 },
      },
    });
    emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
    await bot.catchUp.loops.sweep();
    await pushAndDeliver(repo, emu, REPO, { subject: "claim(gate-1): take it" });
    await waitFor(() => agents.received("lc-adversary").length === 1, "the claim ping");
    expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
    await bot.supervisor.tick();
    expect(handles.left().length).toBeGreaterThan(0);

    await bot.stop();
    handles.freeze();
    // Closing sockets finish on the next turns of the event loop: wait for them, with a deadline.
    await waitFor(() => handles.left().length === 0, "every handle the bot opened to be closed", 5_000).catch(() => undefined);
    expect(handles.left()).toEqual([]);
  });
});

describe("Lifecycle", () => {
  it("stops in the reverse order of starting, only what started, and goes on past a part that fails to stop", async () => {
    const seen: string[] = [];
    const errors: string[] = [];
    const lc = new Lifecycle((part) => errors.push(part));
    const part = (name: string, failStop = false) => ({
      name,
      start: () => void seen.push(`start ${name}`),
      stop: () => {
        seen.push(`stop ${name}`);
        if (failStop) throw new Error("stuck");
      },
    });
    await expect(lc.start([part("store"), part("server", true), part("worker"), { name: "broken", start: () => Promise.reject(new Error("no")) }, part("never")])).rejects.toThrow("no");
    await lc.stop();
    expect(seen).toEqual(["start store", "start server", "start worker", "stop worker", "stop server", "stop store"]);
    expect(errors).toEqual(["server"]);
    await lc.stop();
    expect(seen).toHaveLength(6);
  });
});
