import { afterEach, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import { runDirOf, startTestBot, TEST_SECRET, TEST_TOKEN, type TestBot } from "../support/bot.ts";
import { waitFor } from "../support/wait.ts";

const RUNNER = new URL("../support/runner.mjs", import.meta.url).pathname;

describe("dashboard, run page live tail, badge", () => {
  let bot: TestBot;
  let emu: GiteaEmulator;
  afterEach(async () => {
    for (const r of await bot.store.runs.recent(20)) if (r.state === "running") writeFileSync(join(runDirOf(bot, r.id), "release"), "0");
    await bot.dispose();
    await emu.close();
  });

  async function setup(capacity = 1) {
    emu = await new GiteaEmulator().start();
    emu.state.addUser("ci-bot", TEST_TOKEN);
    emu.state.addOrg("recipes", ["alice", "ci-bot"]);
    for (const r of ["recipes/nextcloud", "recipes/wordpress"]) emu.state.addRepo(r);
    bot = await startTestBot({
      supervise: false,
      overrides: {
        gitea: { url: emu.url, botUser: "ci-bot" },
        server: { operatorToken: "operator-token-0123456789" },
        testme: { repos: ["recipes/*"], trust: { orgs: ["recipes"] }, runner: { command: [process.execPath, RUNNER, "by-ref"], capacity, graceSeconds: 0.2 } },
      },
    });
    emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
  }
  let seed = 0;
  async function testme(repo: string, ref: string) {
    const { pull } = await emu.openPull(repo, { author: "alice", headRef: ref, headSha: (++seed).toString(16).padStart(40, "a") });
    await emu.comment(repo, pull.number, "alice", "!testme");
    return waitFor(async () => (await bot.store.runs.forPr(repo, pull.number, 1))[0], "the run");
  }

  it("shows a queued and a running run on the dashboard", async () => {
    await setup(1);
    const running = await testme("recipes/nextcloud", "hold-w1");
    await waitFor(async () => (await bot.store.runs.get(running.id))?.state === "running", "the first run to start");
    const queued = await testme("recipes/wordpress", "hold-w2");
    const html = await (await fetch(`${bot.url}/`)).text();
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
    expect(html).toMatch(new RegExp(`<section id="queue">.*#${queued.id}.*queued \\(position 1\\)`, "s"));
    expect(html).toMatch(new RegExp(`<section id="running">.*#${running.id}.*running for`, "s"));
  });

  it("streams the log of a running run as it grows, then its verdict, and shows it on the run page", async () => {
    await setup(2);
    const run = await testme("recipes/nextcloud", "gated-w3");
    const res = await fetch(`${bot.url}/runs/${run.id}/events`);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    let text = "";
    let released = false;
    const logEvents: number[] = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      logEvents.push((text.match(/event: log/g) ?? []).length);
      // The runner prints the rest only once the stream has shown its first line.
      if (!released && text.includes("step 1")) {
        released = true;
        writeFileSync(join(runDirOf(bot, run.id), "release"), "0");
      }
      if (text.includes("event: end")) break;
    }
    expect(Math.max(...logEvents)).toBeGreaterThan(1); // the log arrived in pieces while the run went on
    expect(text).toContain("step 12");
    expect(text).toMatch(/event: end\ndata: \{"verdict":"GREEN"/);
    const page = await (await fetch(`${bot.url}/runs/${run.id}`)).text();
    expect(page).toContain(`<h1>run #${run.id}: GREEN</h1>`);
    expect(page).toContain(`<a href="${emu.url}/recipes/nextcloud/pulls/${run.pr}">back to recipes/nextcloud#${run.pr}</a>`);
    expect(page).not.toContain("EventSource");
  });

  it("renders the badge of a recipe's last verdict with cache headers", async () => {
    await setup(2);
    const none = await fetch(`${bot.url}/badge/recipes/nextcloud.svg`);
    expect(await none.text()).toContain("no runs");
    const run = await testme("recipes/nextcloud", "fail-w4");
    await waitFor(async () => (await bot.store.runs.get(run.id))?.state === "finished", "the run");
    const res = await fetch(`${bot.url}/badge/recipes/nextcloud.svg`);
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("max-age=60, must-revalidate");
    expect(await res.text()).toMatch(/<svg[^>]*aria-label="cc-ci: RED"/);
    expect((await fetch(`${bot.url}/badge/recipes/nextcloud.svg`, { headers: { "if-none-match": res.headers.get("etag")! } })).status).toBe(304);
  });
});
