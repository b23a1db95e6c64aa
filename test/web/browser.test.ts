import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import { runDirOf, startTestBot, TEST_SECRET, TEST_TOKEN, type TestBot } from "../support/bot.ts";
import { waitFor } from "../support/wait.ts";

const RUNNER = new URL("../support/runner.mjs", import.meta.url).pathname;
// Debian's Chromium (.ci/run installs it); without background networking it never calls home.
const CHROMIUM = {
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-quic", "--disable-component-update", "--disable-sync"],
};

describe("the pages in a real browser (Chromium)", () => {
  let browser: Browser;
  let bot: TestBot;
  let emu: GiteaEmulator;
  let seed = 0;

  beforeAll(async () => {
    browser = await chromium.launch(CHROMIUM);
    emu = await new GiteaEmulator().start();
    emu.state.addUser("ci-bot", TEST_TOKEN);
    emu.state.addOrg("recipes", ["alice", "ci-bot"]);
    for (const r of ["recipes/nextcloud", "recipes/wordpress", "recipes/gitea"]) emu.state.addRepo(r);
    bot = await startTestBot({
      supervise: false,
      overrides: {
        gitea: { url: emu.url, botUser: "ci-bot" },
        testme: { repos: ["recipes/*"], trust: { orgs: ["recipes"] }, runner: { command: [process.execPath, RUNNER, "by-ref"], capacity: 1, graceSeconds: 0.2 } },
      },
    });
    emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
  });
  afterAll(async () => {
    for (const r of await bot.store.runs.recent(20)) if (r.state === "running") writeFileSync(join(runDirOf(bot, r.id), "release"), "0");
    await browser.close();
    await bot.dispose();
    await emu.close();
  });

  async function testme(repo: string, ref: string) {
    const { pull } = await emu.openPull(repo, { author: "alice", headRef: ref, headSha: (++seed).toString(16).padStart(40, "b") });
    await emu.comment(repo, pull.number, "alice", "!testme");
    return waitFor(async () => (await bot.store.runs.forPr(repo, pull.number, 1))[0], "the run");
  }

  async function open(path: string, width = 1200): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    const errors: string[] = [];
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${bot.url}${path}`);
    return { page, errors };
  }

  it("shows a queued and a running run on the dashboard, without console errors, usable at 375 px", async () => {
    const running = await testme("recipes/nextcloud", "hold-b1");
    await waitFor(async () => (await bot.store.runs.get(running.id))?.state === "running", "the first run to start");
    const queued = await testme("recipes/wordpress", "hold-b2");
    for (const width of [1200, 375]) {
      const { page, errors } = await open("/", width);
      expect(await page.locator("#running").innerText()).toContain(`#${running.id}`);
      expect(await page.locator("#queue").innerText()).toMatch(new RegExp(`#${queued.id}[\\s\\S]*queued \\(position 1\\)`));
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(width);
      expect(errors, errors.join("\n")).toEqual([]);
      await page.close();
    }
    writeFileSync(join(runDirOf(bot, running.id), "release"), "0");
    await waitFor(async () => (await bot.store.runs.get(queued.id))?.state === "running", "the queued run to start");
    writeFileSync(join(runDirOf(bot, queued.id), "release"), "0");
  });

  it("grows the run page's log while the runner prints, then shows the verdict", async () => {
    const run = await testme("recipes/gitea", "gated-b3");
    await waitFor(async () => (await bot.store.runs.get(run.id))?.state === "running", "the run to start");
    const { page, errors } = await open(`/runs/${run.id}`);
    const log = page.locator("#log");
    await log.filter({ hasText: "step 1" }).waitFor({ timeout: 10_000 });
    const early = (await log.innerText()).length;
    // The runner prints the rest only now, while the page is open: it must arrive live.
    writeFileSync(join(runDirOf(bot, run.id), "release"), "0");
    await log.filter({ hasText: "step 12" }).waitFor({ timeout: 10_000 });
    expect((await log.innerText()).length).toBeGreaterThan(early);
    await page.locator("h1", { hasText: "GREEN" }).waitFor({ timeout: 10_000 });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("renders the badge", async () => {
    await waitFor(async () => (await bot.store.runs.lastForRepo("recipes/gitea")) !== null, "a finished run");
    const { page, errors } = await open("/badge/recipes/gitea.svg");
    expect(await page.locator("svg").getAttribute("aria-label")).toBe("cc-ci: GREEN");
    expect(await page.locator("svg text").allTextContents()).toEqual(["cc-ci", "GREEN"]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows a sweep's report with what changed, without console errors, usable at 375 px", async () => {
    const heads: Record<string, string> = {};
    // The test runner's behaviour is the branch's first word: a sweep tests the default branch.
    const branch = (repo: string, name: string) => {
      emu.state.repo(repo).repo.defaultBranch = name;
      emu.state.setBranch(repo, (heads[repo] = (++seed).toString(16).padStart(4, "0").padEnd(40, "e")));
    };
    const sweep = async (key: string) => {
      const { sweep: s } = await bot.sweeps.start({ key, cause: "command", mode: "full", requestedBy: "alice" });
      await waitFor(async () => (await bot.store.sweeps.get(s.id))?.finishedAt != null, `sweep ${key} to finish`, 30_000);
      return s.id;
    };
    for (const r of ["recipes/nextcloud", "recipes/wordpress", "recipes/gitea"]) branch(r, "pass");
    const green = { ...heads };
    await sweep("browser-1");
    branch("recipes/nextcloud", "results");
    branch("recipes/wordpress", "fail");
    const id = await sweep("browser-2");
    for (const width of [1200, 375]) {
      const { page, errors } = await open(`/sweeps/${id}`, width);
      expect(await page.locator("h1").innerText()).toBe(`sweep #${id}: finished`);
      expect(await page.locator("#summary").innerText()).toContain("1 green, 2 red, 0 error");
      const newlyRed = await page.locator("#newly-red").innerText();
      expect(newlyRed).toContain(`recipes/nextcloud RED (upgrade) last green ${green["recipes/nextcloud"]!.slice(0, 7)} → first red ${heads["recipes/nextcloud"]!.slice(0, 7)}`);
      expect(newlyRed).toContain("recipes/wordpress RED");
      const rows = await page.locator("#recipes tr").allInnerTexts();
      expect(rows).toHaveLength(4);
      expect(rows.find((r) => r.includes("recipes/gitea"))).toMatch(/GREEN/);
      expect(await page.locator(`#recipes a[href$="/recipes/nextcloud/commit/${heads["recipes/nextcloud"]}"]`).innerText()).toBe(heads["recipes/nextcloud"]!.slice(0, 7));
      expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(width);
      expect(errors, errors.join("\n")).toEqual([]);
      await page.close();
    }
    const { page, errors } = await open("/", 375);
    expect(await page.locator("#last-sweep").innerText()).toContain(`Last sweep: #${id}`);
    expect(await page.locator("#last-sweep").innerText()).toContain("newly red: recipes/nextcloud, recipes/wordpress");
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    await page.locator("#last-sweep a").click();
    await page.waitForURL(`**/sweeps/${id}`);
    expect(errors).toEqual([]);
    await page.close();
  });
});
