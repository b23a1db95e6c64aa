import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { cleanEnv } from "../support/child-bot.ts";

const run = promisify(execFile);
const DEMO = new URL("../../src/demo/main.ts", import.meta.url).pathname;

describe("npm run demo -- --agents opencode", () => {
  it("runs the builder on a real opencode server: launched with opencode run --attach, pinged through its HTTP API", async () => {
    const { stdout } = await run(process.execPath, ["--import", "tsx", DEMO, "--port", "0", "--agents", "opencode", "--exit"], { env: cleanEnv(), timeout: 240_000 });
    expect(stdout).toMatch(/the builder starts on opencode\s+-> opencode run exited 0; the model got: .*Phase 1 of loop cc-ci/);
    expect(stdout).toMatch(/pushes claim\(gate-1\)\s+-> adversary's session got: \[cc-ci-bot\] cc-ci: [0-9a-f]{7} claim\(gate-1\): take gate 1/);
    expect(stdout).toMatch(/pushes review\(gate-1\)\s+-> builder's session got: \[cc-ci-bot\] cc-ci: [0-9a-f]{7} review\(gate-1\): PASS looks good/);
    expect(stdout).toMatch(/the builder on the opencode server http:\/\/127\.0\.0\.1:\d+/);
    const dataDir = /data in (\S+)/.exec(stdout)![1]!;
    expect(existsSync(dataDir)).toBe(false);
  }, 300_000);

  it("refuses an unknown --agents value in one line", async () => {
    const r = await run(process.execPath, ["--import", "tsx", DEMO, "--agents", "emacs"], { env: cleanEnv() }).catch((e: { code: number; stderr: string }) => e);
    expect(r).toMatchObject({ code: 2, stderr: "demo: --agents must be fake or opencode\n" });
  });
});
