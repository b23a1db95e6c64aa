import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { makeEnrolment } from "../../src/config/enrolment.ts";
import { tempDir } from "../support/bot.ts";
import { configProblems } from "../support/config-problems.ts";
import { BIN, cleanEnv } from "../support/child-bot.ts";

const run = promisify(execFile);

function file(yaml: string): string {
  const path = join(tempDir(), "cc-ci-bot.yaml");
  writeFileSync(path, yaml);
  return path;
}

const problems = configProblems;

describe("configuration", () => {
  it("reads the file, fills defaults, and lets the environment win", () => {
    const path = file(`gitea: { url: "https://git.example.org/", token: from-file }\nserver: { port: 9000 }\nwebhook: { secrets: [a] }\n`);
    const { config, source } = loadConfig({ path, env: { GITEA_TOKEN: "from-env", WEBHOOK_SECRET: "new, old", PORT: "8800", DATA_DIR: "/var/lib/ccci" } });
    expect(source).toBe(path);
    expect(config.gitea).toEqual({ url: "https://git.example.org", token: "from-env", timeoutSeconds: 30 });
    expect(config.webhook.secrets).toEqual(["new", "old"]);
    expect(config.server.port).toBe(8800);
    expect(config.dataDir).toBe("/var/lib/ccci");
    expect(config.testme.statusContext).toBe("cc-ci/testme");
    expect(config.testme.runner.capacity).toBe(2);
    expect(config.supervisor.tickSeconds).toBe(30);
  });

  it("interpolates ${VAR} and names the key whose variable is unset", () => {
    const path = file(`gitea: { url: "https://g.example", token: "\${GITEA_TOKEN}" }\nwebhook: { secrets: ["\${HOOK_SECRET}"] }\n`);
    expect(loadConfig({ path, env: { GITEA_TOKEN: "t", HOOK_SECRET: "s" } }).config.webhook.secrets).toEqual(["s"]);
    expect(problems(() => loadConfig({ path, env: { GITEA_TOKEN: "t" } }))).toEqual([
      "webhook.secrets.0: refers to ${HOOK_SECRET} but HOOK_SECRET is not set in the environment",
    ]);
  });

  it.each([
    { name: "a bad URL", yaml: `gitea: { url: "not a url", token: t }`, expected: "gitea.url: must be the Gitea base URL, e.g. https://git.example.org" },
    { name: "a string port", yaml: `gitea: { url: "https://g.example", token: t }\nserver: { port: "eighty" }`, expected: "server.port:" },
    { name: "a shell string as runner", yaml: `gitea: { url: "https://g.example", token: t }\ntestme: { runner: { command: "run.sh --all" } }`, expected: "testme.runner.command:" },
    { name: "an unknown supersede mode", yaml: `gitea: { url: "https://g.example", token: t }\ntestme: { supersede: maybe }`, expected: "testme.supersede:" },
    { name: "a sweep schedule that is not cron", yaml: `gitea: { url: "https://g.example", token: t }\ntestme: { schedules: [{ cron: "nightly" }] }`, expected: "testme.schedules.0.cron: must be a cron expression" },
    { name: "a report repo without owner", yaml: `gitea: { url: "https://g.example", token: t }\ntestme: { report: { repo: reports } }`, expected: "testme.report.repo: must be owner/name" },
    { name: "a loop repo without owner", yaml: `gitea: { url: "https://g.example", token: t }\nloops: [{ name: x, repo: cc-ci }]`, expected: "loops.0.repo: must be owner/name" },
  ])("names the key for $name", ({ yaml, expected }) => {
    expect(problems(() => loadConfig({ path: file(yaml), env: {} })).join("\n")).toContain(expected);
  });

  it("refuses an explicit file that does not exist, and invalid YAML, in one line each", () => {
    expect(problems(() => loadConfig({ path: "/nonexistent/cc.yaml", env: {} }))).toEqual([
      "config file /nonexistent/cc.yaml does not exist (given by --config or CC_CI_BOT_CONFIG)",
    ]);
    expect(problems(() => loadConfig({ path: file("gitea: [unclosed"), env: {} }))[0]).toMatch(/is not valid YAML/);
  });

  it("enrols testme globs and loop repos, case-insensitively, one path segment per *", () => {
    const enrolled = makeEnrolment({ testme: { repos: ["recipe-maintainers/*"] } as never, loops: [{ repo: "ops/cc-ci" }] as never });
    expect(enrolled("recipe-maintainers/nextcloud")).toBe(true);
    expect(enrolled("Recipe-Maintainers/Nextcloud")).toBe(true);
    expect(enrolled("ops/cc-ci")).toBe(true);
    expect(enrolled("recipe-maintainers-evil/x")).toBe(false);
    expect(enrolled("ops/cc-ci-other")).toBe(false);
  });

  it("check-config prints a summary without secrets, or the problems with exit status 2", async () => {
    const path = file(`gitea: { url: "https://g.example", token: sup3r-s3cret-token }\nwebhook: { secrets: [hook-s3cret-value] }\ntestme: { repos: ["r/*"], schedules: [{ cron: "0 2 * * *" }] }\n`);
    const ok = await run(process.execPath, [BIN, "check-config", "--config", path], { env: cleanEnv() });
    expect(ok.stdout).toContain("configuration OK");
    expect(ok.stdout).toContain("!testme repos:  r/*");
    expect(ok.stdout).toContain("sweeps (UTC):   0 2 * * * (full)");
    expect(ok.stdout).not.toContain("sup3r-s3cret-token");
    expect(ok.stdout).not.toContain("hook-s3cret-value");
    const json = await run(process.execPath, [BIN, "check-config", "--config", path, "--json"], { env: cleanEnv() });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, webhookSecrets: 1, testmeRepos: ["r/*"] });
    const bad = await run(process.execPath, [BIN, "check-config", "--config", file("gitea: { url: nope }")], { env: cleanEnv() }).catch((e: { code: number; stderr: string }) => e);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining("gitea.token: is required") });
  });

  // Five processes, each loading the TypeScript sources (seconds apiece on a busy machine):
  // started together, and given the time a loaded machine needs rather than the default budget.
  it("answers --help for every command and refuses unknown ones", async () => {
    const cmds = ["serve", "check-config", "replay"];
    const [helps, top, unknown] = await Promise.all([
      Promise.all(cmds.map((cmd) => run(process.execPath, [BIN, cmd, "--help"], { env: cleanEnv() }))),
      run(process.execPath, [BIN, "--help"], { env: cleanEnv() }),
      run(process.execPath, [BIN, "frobnicate"], { env: cleanEnv() }).catch((e: { code: number; stderr: string }) => e),
    ]);
    helps.forEach((out, i) => expect(out.stdout).toMatch(new RegExp(`^Usage: cc-ci-bot ${cmds[i]}`)));
    expect(top.stdout).toContain("Commands:");
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frobnicate"') });
  }, 120_000);
});
