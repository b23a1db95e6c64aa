import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { cleanEnv } from "../support/child-bot.ts";
import { spawnScript } from "../support/child-lines.ts";
import { Tmux } from "../../src/supervisor/tmux.ts";

const DEMO = new URL("../../src/demo/main.ts", import.meta.url).pathname;

/** Starts the demo; SIGTERM after the test lets it remove its tmux server and temp dir even when the test failed. */
const startDemo = () => spawnScript(DEMO, ["--port", "0"], { env: cleanEnv(), killWith: "SIGTERM" });

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
    expect((await exited).code).toBe(0);
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
    expect((await exited).code).toBe(143);
    expect(existsSync(dataDir)).toBe(false);
    expect(await new Tmux({ socketName: socket }).hasSession("demo-adversary")).toBe(false);
  });
});
