import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait.ts";
import { botComments, FINAL, openPull, statuses, testmeSettings, waitStatus } from "./support/recipes.ts";
import { World } from "./support/world.ts";

// Scenarios 4 and 6: slash-commands in real comments, and Gitea's "Test Delivery".
const w = new World();
const R = "recipe-cmd";

beforeAll(async () => {
  await w.create({ recipes: [R] });
  w.writeConfig(testmeSettings(w));
  await w.startBot();
});
afterAll(() => w.close());

/** Comments as a user and waits for the bot's next reply to that user. */
async function ask(pr: number, role: "maintainer" | "stranger" | "operator", body: string): Promise<string> {
  const login = w.users[role].user;
  const before = (await botComments(w, R, pr)).length;
  await w.as(role).comment(w.repo(R), pr, body);
  const mine = await waitFor(async () => {
    const all = await botComments(w, R, pr);
    return all.length > before ? all.slice(before).find((c) => c.body.startsWith(`@${login}`)) : null;
  }, `the bot's answer to "${body}" by ${role}`);
  return mine.body;
}

describe("slash-commands in real PR comments", () => {
  it("answers /help per tier, /status, /retest, /cancel, an unknown command and a refused one", async () => {
    const pr = await openPull(w, R, "hold-1");
    expect(await ask(pr.number, "stranger", "/help")).toMatch(/you are: anyone/);
    const opHelp = await ask(pr.number, "operator", "/help");
    expect(opHelp).toMatch(/you are: operator/);
    expect(opHelp).toContain("/upgrade-all");
    expect(await ask(pr.number, "stranger", "/status")).toMatch(/no runs on this PR yet/);

    expect(await ask(pr.number, "stranger", "/retest")).toMatch(/`\/retest` is for maintainers only/);
    expect(await ask(pr.number, "stranger", "/frobnicate")).toMatch(/unknown command `\/frobnicate`/);

    await w.as("maintainer").comment(w.repo(R), pr.number, "!testme");
    await waitStatus(w, R, pr.sha, "the run to start", (s) => s.description === "running");
    expect(await ask(pr.number, "maintainer", "/status")).toMatch(/running/);
    expect(await ask(pr.number, "maintainer", "/cancel")).toMatch(/^@\S+ cancelled \[#\d+\]/);
    const cancelled = await waitStatus(w, R, pr.sha, "the cancelled status", FINAL);
    expect(cancelled.state).toBe("error");

    expect(await ask(pr.number, "maintainer", "/retest")).toMatch(/re-running: .*\/runs\/\d+/);
    await waitFor(async () => (await statuses(w, R, pr.sha)).at(-1)?.description === "running", "the re-run running");
    expect(await ask(pr.number, "operator", "/cancel")).toMatch(/cancelled/);
  });

  it("answers Gitea's Test Delivery with a 2xx and stores it", async () => {
    // Counted by event: the bot's own replies from the test before may still be arriving as comment deliveries.
    const pushes = async () => (await w.api<{ deliveries: Array<{ event: string; repo: string }> }>("/api/deliveries?limit=500")).deliveries.filter((d) => d.event === "push" && d.repo === w.repo(R)).length;
    const before = await pushes();
    expect(await w.admin.testDelivery(w.repo(R), w.hooks.get(R)!)).toBe(204);
    // Stored means verified and answered 202: the bot acks only after the commit that holds it.
    await waitFor(async () => (await pushes()) === before + 1, "the test delivery stored as a push");
  });
});
