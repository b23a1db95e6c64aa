import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { makePoolOf } from "../../src/runs/pools.ts";
import { tempDir } from "../support/bot.ts";
import { BIN, cleanEnv } from "../support/child-bot.ts";
import { configProblems } from "../support/config-problems.ts";

const run = promisify(execFile);
const BASE = `gitea: { url: "https://g.example", token: t0ken-value }\n`;

function file(yaml: string): string {
  const path = join(tempDir(), "cc-ci-bot.yaml");
  writeFileSync(path, BASE + yaml);
  return path;
}

describe("runner configuration (backend, redis, pools)", () => {
  it("defaults to local runs; bullmq takes its Redis from the file or REDIS_URL, the environment winning", () => {
    expect(loadConfig({ path: file(""), env: {} }).config.testme.runner).toMatchObject({ backend: "local", pool: {}, lockSeconds: 30 });
    const fromFile = loadConfig({ path: file(`testme: { runner: { backend: bullmq, redis: "redis://h:6379/0" } }\n`), env: {} }).config.testme.runner;
    expect(fromFile.redis).toBe("redis://h:6379/0");
    const fromEnv = loadConfig({ path: file(`testme: { runner: { backend: bullmq, redis: "redis://h:6379/0" } }\n`), env: { REDIS_URL: "rediss://:pw-secret@r.example:6380" } }).config.testme.runner;
    expect(fromEnv.redis).toBe("rediss://:pw-secret@r.example:6380");
  });

  it.each([
    ["no Redis for bullmq", `testme: { runner: { backend: bullmq } }`, /^testme\.runner\.redis: is required with backend: bullmq \(set REDIS_URL/],
    ["another scheme", `testme: { runner: { backend: bullmq, redis: "http://:hunter2-secret@h" } }`, /^testme\.runner\.redis: must start with redis:\/\/ or rediss:\/\/, not http:\/\//],
    ["not a URL", `testme: { runner: { backend: bullmq, redis: "hunter2-secret" } }`, /^testme\.runner\.redis: is not a URL/],
    ["a bad pool name", `testme: { runner: { pool: { "r/*": "big pool" } } }`, /^testme\.runner\.pool\.r\/\*: a pool name is/],
    ["an unknown backend", `testme: { runner: { backend: k8s } }`, /^testme\.runner\.backend: /],
  ])("refuses %s in one line, never echoing the password", (_name, yaml, message) => {
    const found = configProblems(() => loadConfig({ path: file(yaml), env: {} }));
    expect(found[0]).toMatch(message);
    expect(found.join("\n")).not.toContain("hunter2-secret");
  });

  it("routes recipes to pools by the first matching pattern, else default", () => {
    const { config } = loadConfig({ path: file(`testme: { runner: { pool: { "recipes/big-*": heavy, "recipes/*": light } } }\n`), env: {} });
    const poolOf = makePoolOf(config);
    expect([poolOf("recipes/big-nextcloud"), poolOf("recipes/wiki"), poolOf("other/x")]).toEqual(["heavy", "light", "default"]);
  });

  it("check-config names the engine without the Redis password", async () => {
    const path = file(`testme: { runner: { backend: bullmq, pool: { "r/*": heavy } } }\n`);
    const ok = await run(process.execPath, [BIN, "check-config", "--config", path], { env: { ...cleanEnv(), REDIS_URL: "redis://:pw-s3cret-value@10.0.0.5:6379/2" } });
    expect(ok.stdout).toContain("runs:           bullmq workers via redis://***@10.0.0.5:6379/2; pools: r/* -> heavy");
    expect(ok.stdout).not.toContain("pw-s3cret-value");
    const bad = await run(process.execPath, [BIN, "check-config", "--config", file(`testme: { runner: { backend: bullmq } }\n`)], { env: cleanEnv() }).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining("testme.runner.redis: is required with backend: bullmq") });
  }, 60_000);
});
