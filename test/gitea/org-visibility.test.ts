import { afterEach, describe, expect, it } from "vitest";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import { GiteaClient } from "../../src/gitea/client.ts";
import { warnIfOrgsHidden } from "../../src/gitea/org-visibility.ts";

describe("the bot's view of trusted orgs", () => {
  let emu: GiteaEmulator;
  afterEach(() => emu.close());

  it("warns, naming the fix, for each trusted org the bot is not a member of", async () => {
    emu = await new GiteaEmulator({ flavour: "gitea-1.15" }).start();
    emu.state.addUser("ci-bot", "bot-token-123");
    emu.state.addOrg("recipes", ["alice", "ci-bot"]);
    emu.state.addOrg("elsewhere", ["bob"]);
    const warned: string[] = [];
    const log = { warn: (_o: object, msg: string) => void warned.push(msg), debug: () => undefined };
    const hidden = await warnIfOrgsHidden(new GiteaClient({ url: emu.url, token: "bot-token-123" }), ["recipes", "elsewhere"], "ci-bot", log as never);
    expect(hidden).toEqual(["elsewhere"]);
    expect(warned).toEqual([expect.stringMatching(/^the bot account ci-bot is not a member of the trusted org elsewhere: .*add ci-bot to a team of elsewhere$/)]);
  });
});
