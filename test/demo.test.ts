import { describe, expect, it, onTestFinished } from "vitest";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { cleanEnv } from "./support/child-bot.ts";
import { Tmux } from "../src/supervisor/tmux.ts";

const DEMO = new URL("../src/demo/main.ts", import.meta.url).pathname;

/** Starts the demo; `until` resolves with the first line matching `re` (a demo that exits first fails it). */
function startDemo() {
  const child = spawn(process.execPath, ["--import", "tsx", DEMO, "--port", "0"], { env: cleanEnv(), stdio: ["ignore", "pipe", "inherit"] });
  // SIGTERM lets the demo remove its tmux server and temp dir even when the test failed.
  onTestFinished(() => void child.kill("SIGTERM"));
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const out: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    out.push(line);
    for (const w of waiters) {
      const m = w.re.exec(line);
      if (m) w.resolve(m);
    }
  });
  const until = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      waiters.push({ re, resolve });
      void exited.then((code) => reject(new Error(`demo exited with ${code} before ${re}:\n${out.join("\n")}`)));
    });
  return { child, exited, out, until };
}

describe("npm run demo", () => {
  it("plays its scenario, answers on its port, and cleans up on Ctrl-C", async () => {
    const { child, exited, out, until } = startDemo();
    const url = (await until(/^ready: (http:\/\/\S+)$/))[1]!;
    const text = out.join("\n");
    expect(text).toMatch(/pushes claim\(gate-1\)\s+-> adversary's session got: \[cc-ci-bot\] cc-ci: [0-9a-f]{7} claim\(gate-1\): take gate 1/);
    expect(text).toMatch(/pushes review\(gate-1\)\s+-> builder's session got: \[cc-ci-bot\] cc-ci: [0-9a-f]{7} review\(gate-1\): PASS looks good/);
    expect(text).toMatch(/carol comments \/status\s+-> @carol last verdict: \*\*GREEN\*\*/);
    expect(text).toMatch(/alice comments !testme\s+-> 202 accepted/);
    expect(text).toMatch(/redelivers that comment\s+-> 200 duplicate of delivery/);
    expect(text).toMatch(/wrong secret\s+-> 401 signature does not match/);
    expect(text).toMatch(/the run finishes\s+-> GREEN \(exit 0\) http:\/\/127\.0\.0\.1:\d+\/runs\/1/);
    expect(text).toMatch(/commit statuses on PR #1's head\s+-> pending: queued \(position 1\) -> pending: running -> success: GREEN in \d+s/);
    expect(text).toMatch(/the bot's result comment on PR #1\s+-> ### cc-ci: GREEN/);
    expect(text).toMatch(/a broken change\)\s+-> RED \(exit 1\)/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const deliveries = (await (await fetch(`${url}/api/deliveries`)).json()) as { deliveries: unknown[] };
    expect(deliveries.deliveries.length).toBeGreaterThanOrEqual(4);
    expect((await fetch(`${url}/runs/1`)).status).toBe(200);
    expect((await fetch(`${url}/`)).status).toBe(200);
    const socket = /tmux -L (\S+) attach/.exec(text)![1]!;
    const dataDir = /data in (\S+)/.exec(text)![1]!;
    expect(existsSync(dataDir)).toBe(true);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
    expect(await new Tmux({ socketName: socket }).hasSession("demo-builder")).toBe(false);
  });

  it("removes its tmux server and temp dir when stopped in the middle of its scenario", async () => {
    const { child, exited, until } = startDemo();
    const dataDir = (await until(/data in (\S+)$/))[1]!;
    const socket = `cc-ci-bot-demo-${child.pid}`;
    await until(/^\s+the builder pushes claim/);
    expect(await new Tmux({ socketName: socket }).hasSession("demo-adversary")).toBe(true);
    child.kill("SIGTERM");
    expect(await exited).toBe(143);
    expect(existsSync(dataDir)).toBe(false);
    expect(await new Tmux({ socketName: socket }).hasSession("demo-adversary")).toBe(false);
  });
});
