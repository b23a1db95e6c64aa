import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { loadConfig, parseConfig } from "../../src/config/load.ts";
import { tempDir } from "../support/bot.ts";
import { BIN, cleanEnv } from "../support/child-bot.ts";
import { configProblems } from "../support/config-problems.ts";

const run = promisify(execFile);
const base = `gitea: { url: "https://g.example", token: t }\nwebhook: { secrets: [s] }\n`;

function file(yaml: string): string {
  const path = join(tempDir(), "cc-ci-bot.yaml");
  writeFileSync(path, base + yaml);
  return path;
}

describe("a session's name: session:, with tmux: still read", () => {
  it("session: names loop sessions, the orchestrator and scheduled jobs, on either backend, without warnings", () => {
    const { config, warnings } = loadConfig({
      path: file(`loops: [{ name: l, repo: o/l, sessions: { builder: { session: b, start: [claude] }, adversary: { backend: opencode-server, session: a, server: { url: "http://127.0.0.1:4096" } } } }]
supervisor:
  orchestrator: { session: orch, start: [claude] }
  schedules: [{ name: up, cron: "0 3 * * 6", session: up, start: [claude] }]
`),
      env: {},
    });
    expect(warnings).toEqual([]);
    expect(config.loops[0]!.sessions.builder).toMatchObject({ session: "b", title: "b" });
    expect(config.loops[0]!.sessions.adversary).toMatchObject({ session: "a", title: "a", backend: "opencode-server" });
    expect(config.supervisor.orchestrator).toMatchObject({ session: "orch" });
    expect(config.supervisor.schedules[0]).toMatchObject({ session: "up" });
  });

  it("tmux: still names them, with one warning line naming where it is", () => {
    const { config, warnings } = loadConfig({
      path: file(`loops: [{ name: l, repo: o/l, sessions: { builder: { tmux: b, start: [claude] } } }]\nsupervisor: { orchestrator: { tmux: orch, start: [claude] } }\n`),
      env: {},
    });
    expect(config.loops[0]!.sessions.builder).toMatchObject({ session: "b" });
    expect(config.loops[0]!.sessions.builder).not.toHaveProperty("tmux");
    expect(config.supervisor.orchestrator).toMatchObject({ session: "orch" });
    expect(warnings).toEqual(["tmux: is deprecated, name the session with session: instead (at loops.0.sessions.builder, supervisor.orchestrator)"]);
  });

  it("refuses session: and tmux: naming two different sessions, and a tmux session with no name", () => {
    const loop = (s: object) => ({ gitea: { url: "https://g.example", token: "t" }, loops: [{ name: "l", repo: "o/l", sessions: { builder: s } }] });
    expect(configProblems(() => parseConfig(loop({ session: "a", tmux: "b", start: ["claude"] })))).toEqual(["loops.0.sessions.builder.tmux: is the old name of session: give only session:"]);
    expect(parseConfig(loop({ session: "a", tmux: "a", start: ["claude"] })).loops[0]!.sessions.builder).toMatchObject({ session: "a" });
    expect(configProblems(() => parseConfig(loop({ start: ["claude"] })))[0]).toMatch(/^loops\.0\.sessions\.builder\.session: is required/);
  });

  it("check-config prints the deprecation warning, in text and in --json", async () => {
    const path = file(`loops: [{ name: l, repo: o/l, sessions: { builder: { tmux: b, start: [claude] } } }]\n`);
    const text = await run(process.execPath, [BIN, "check-config", "--config", path], { env: cleanEnv() });
    expect(text.stdout).toContain("configuration OK");
    expect(text.stdout).toContain("  warning: tmux: is deprecated, name the session with session: instead (at loops.0.sessions.builder)");
    const json = await run(process.execPath, [BIN, "check-config", "--config", path, "--json"], { env: cleanEnv() });
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, warnings: ["tmux: is deprecated, name the session with session: instead (at loops.0.sessions.builder)"] });
  }, 60_000);
});
