import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { cleanEnv } from "../support/child-bot.ts";
import { REDIS_SERVER } from "../support/redis-server.ts";
import { removeDir, tempDir } from "../support/temp.ts";
import { redisServerPath } from "../../src/demo/redis-workers.ts";

const run = promisify(execFile);
const DEMO = new URL("../../src/demo/main.ts", import.meta.url).pathname;

/** Whether anything still listens on a loopback port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });

describe("npm run demo -- --workers 2", () => {
  it("plays the scenario with its runs on two cc-ci-bot workers over a private redis-server, and leaves nothing running", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", DEMO, "--port", "0", "--workers", "2", "--exit"], { env: cleanEnv(), timeout: 240_000 });
    const redisUrl = /runs on 2 cc-ci-bot workers over redis-server \((redis:\/\/127\.0\.0\.1:(\d+))\)/.exec(stdout);
    expect(redisUrl).not.toBeNull();
    expect(stdout).toMatch(/alice comments !testme\s+-> 202 accepted/);
    expect(stdout).toMatch(/the run finishes\s+-> GREEN \(exit 0\) http:\/\/127\.0\.0\.1:\d+\/runs\/1/);
    expect(stdout).toMatch(/commit statuses on PR #1's head\s+-> pending: queued \(position 1\) -> pending: running -> success: GREEN in \d+s/);
    expect(stdout).toMatch(/the bot's result comment on PR #1\s+-> ### cc-ci: GREEN/);
    expect(stdout).toMatch(/a broken change\)\s+-> RED \(exit 1\)/);
    expect(stdout).toMatch(/the runner hosts \(\/api\/runners\)\s+-> demo-host-1 \(pools default, 1 slot\); demo-host-2 \(pools default, 1 slot\)/);
    const dataDir = /data in (\S+)/.exec(stdout)![1]!;
    expect(existsSync(dataDir)).toBe(false);
    expect(await listening(Number(redisUrl![2]))).toBe(false);
    // The workers ran from their config files in the demo's directory: none is left.
    const { stdout: ps } = await run("ps", ["-eo", "args"]);
    expect(ps.split("\n").filter((line) => line.includes(dataDir))).toEqual([]);
  }, 300_000);

  it("says in one line what it needs when redis-server is not on PATH", async () => {
    const r = await run(process.execPath, ["--import", "tsx", DEMO, "--workers", "2"], { env: cleanEnv({ PATH: "/nonexistent" }) }).catch((e: { code: number; stderr: string }) => e);
    expect(r).toMatchObject({ code: 2, stderr: "demo: --workers needs redis-server (apt-get install redis-server); without --workers the runs are local child processes\n" });
  });

  it("finds redis-server in any directory on PATH", () => {
    const dir = tempDir("ccci-path-");
    try {
      mkdirSync(join(dir, "bin"));
      symlinkSync(REDIS_SERVER, join(dir, "bin", "redis-server"));
      expect(redisServerPath(`/nonexistent:${join(dir, "bin")}`)).toBe(join(dir, "bin", "redis-server"));
      expect(redisServerPath("/nonexistent:")).toBeNull();
    } finally {
      removeDir(dir);
    }
  });
});
