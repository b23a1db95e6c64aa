import { afterEach, describe, expect, it } from "vitest";
import { finals, remoteWorld, type RemoteWorld } from "../support/remote-world.ts";
import { waitFor } from "../support/wait.ts";

let world: RemoteWorld | null = null;
afterEach(async () => {
  await world?.dispose();
  world = null;
});

describe("!testme on BullMQ workers (real redis-server, two worker processes)", { timeout: 60_000 }, () => {
  it("runs GREEN on a worker host: statuses, result comment, live log and the run page, nothing left in Redis", async () => {
    world = await remoteWorld();
    const w = world;
    const { sha, run, number } = await w.testme("gated-1");
    await w.hostDir(run.id);
    await waitFor(() => w.statuses(sha).includes("pending: running"), "running");
    // The live log of a remote run: the first line reaches the bot while the run goes.
    await waitFor(async () => (await fetch(`${w.bot.url}/runs/${run.id}/log`).then((r) => r.text())).includes("step 1"), "step 1 on the run page's log");
    await w.release(run.id, 0);
    const botComments = () => w.emu.state.commentsOn("recipes/nextcloud", number).filter((c) => c.author.login === "ci-bot");
    await waitFor(() => finals(w, sha).length === 1 && botComments().length === 1, "the final status and the result comment");
    expect(finals(w, sha)).toEqual([expect.stringMatching(/^success: GREEN in \d+s$/)]);
    expect(botComments()[0]!.body).toContain("step 12");
    const page = await fetch(`${w.bot.url}/runs/${run.id}`).then((r) => r.text());
    expect(page).toContain("step 12");
    const keys = await waitFor(async () => {
      const k = (await w.redis.client.keys(`ccci:run:${run.id}:*`)).concat(await w.redis.client.keys("ccci:runs-default:run-*"));
      return k.length === 0 ? "none" : null;
    }, "the run's keys to leave Redis");
    expect(keys).toBe("none");
  });
});
