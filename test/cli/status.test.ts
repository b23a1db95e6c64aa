import { afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import { startTestBot, tempDir, TEST_SECRET, TEST_TOKEN, type TestBot } from "../support/bot.ts";
import { BIN, cleanEnv, writeConfig } from "../support/child-bot.ts";

const run = promisify(execFile);
const RUNNER = new URL("../support/runner.mjs", import.meta.url).pathname;
const NC = "recipes/nextcloud";

// Each CLI call is a process loading the TypeScript sources, seconds apiece on a busy machine:
// these tests get the time a loaded machine needs rather than the default budget.
describe("cc-ci-bot status and testme", { timeout: 120_000 }, () => {
  let bot: TestBot;
  let emu: GiteaEmulator;
  afterEach(async () => {
    await bot.dispose();
    await emu.close();
  });

  async function setup() {
    emu = await new GiteaEmulator().start();
    emu.state.addUser("ci-bot", TEST_TOKEN);
    emu.state.addOrg("recipes", ["alice", "ci-bot"]);
    emu.state.addUser("alice", "alice-token");
    emu.state.addRepo(NC);
    bot = await startTestBot({
      overrides: {
        gitea: { url: emu.url, botUser: "ci-bot" },
        testme: { repos: ["recipes/*"], trust: { orgs: ["recipes"] }, runner: { command: [process.execPath, RUNNER, "by-ref"], graceSeconds: 0.2 } },
      },
    });
    emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
    // The CLI's own configuration: another user's token, and (for the fallback) no bot to ask.
    const cfg = writeConfig(tempDir(), `gitea: { url: "${emu.url}", token: alice-token }\nserver: { port: 9 }\n`);
    const cli = (...args: string[]) =>
      run(process.execPath, [BIN, ...args, "--config", cfg], { env: cleanEnv() }).then(
        (r) => ({ code: 0, out: r.stdout.trim() }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: (e.stdout || e.stderr).trim() }),
      );
    return { cli };
  }

  it("reports NONE, then waits for the run a testme asked for, from the bot or from Gitea", async () => {
    const { cli } = await setup();
    const { pull } = await emu.openPull(NC, { author: "alice", headRef: "pass-cli", headSha: "d".repeat(40) });
    const ref = `${NC}#${pull.number}`;
    expect(await cli("status", ref, "--url", bot.url)).toEqual({ code: 3, out: `NONE (no run for ${ref})` });

    const waited = await cli("testme", ref, "--wait", "--url", bot.url, "--interval", "0.1");
    expect(waited.code).toBe(0);
    expect(waited.out).toMatch(new RegExp(`^GREEN ddddddd ${bot.url}/runs/\\d+$`));
    expect(emu.state.commentsOn(NC, pull.number)[0]).toMatchObject({ body: "!testme", author: { login: "alice" } });

    const json = JSON.parse((await cli("status", ref, "--url", bot.url, "--json")).out) as Record<string, unknown>;
    expect(json).toMatchObject({ verdict: "GREEN", sha: "d".repeat(40), source: "bot" });

    // No bot at the configured address: the commit status in Gitea answers.
    await bot.outbox.idle();
    const fallback = await cli("status", ref, "--json");
    expect(JSON.parse(fallback.out)).toMatchObject({ verdict: "GREEN", sha: "d".repeat(40), source: "gitea", url: expect.stringMatching(/\/runs\/\d+$/) });
  });

  it("exits 1 for RED, and refuses a malformed PR reference", async () => {
    const { cli } = await setup();
    const { pull } = await emu.openPull(NC, { author: "alice", headRef: "fail-cli", headSha: "e".repeat(40) });
    const red = await cli("testme", `${NC}#${pull.number}`, "--quick", "--wait", "--url", bot.url, "--interval", "0.1");
    expect(red.code).toBe(1);
    expect(red.out).toMatch(/^RED eeeeeee /);
    expect(await cli("status", "nextcloud#1")).toMatchObject({ code: 2, out: expect.stringContaining("expected a pull request as owner/repo#N") });
  });
});
