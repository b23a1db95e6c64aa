import { afterEach, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { Tmux } from "../../src/supervisor/tmux.ts";
import { withoutSecrets } from "../../src/util/child-env.ts";
import { waitFor } from "../support/wait.ts";

describe("the environment agents get from a tmux server the bot starts", () => {
  let tmux: Tmux | null = null;
  afterEach(async () => {
    await tmux?.killServer();
    tmux = null;
  });

  it("holds none of the bot's secrets, by name or by value, and everything else", async () => {
    const botEnv = { ...process.env, GITEA_TOKEN: "gitea-token-1234567", FROM_YAML: "webhook-secret-7654321", AGENT_KEY: "agent-keeps-this" };
    tmux = new Tmux({ socketName: `ccci-env-${process.pid}-${Date.now()}`, env: withoutSecrets(botEnv, ["gitea-token-1234567", "webhook-secret-7654321"]) });
    // The session's program prints the environment it was given by the server the bot started.
    await tmux.newSession("agent", { argv: [process.execPath, "-e", "console.log(Object.entries(process.env).map(([k, v]) => k + '=' + v).join(' ')); setInterval(() => {}, 1000)"] });
    const pane = await waitFor(async () => {
      const text = (await tmux!.capture("agent")).replace(/\n/g, "");
      return text.includes("AGENT_KEY=") ? text : null;
    }, "the agent's environment on its pane");
    expect(pane).toContain("AGENT_KEY=agent-keeps-this");
    expect(pane).not.toContain("gitea-token-1234567");
    expect(pane).not.toContain("webhook-secret-7654321");
    expect(pane).not.toContain("GITEA_TOKEN");
  });
});

describe("a tmux server of the bot's own (-L)", () => {
  it("leaves no socket file behind when killed (tmux itself leaves it)", async () => {
    const name = `ccci-sock-${process.pid}-${Date.now()}`;
    const tmux = new Tmux({ socketName: name });
    await tmux.newSession("a", { argv: ["sleep", "60"] });
    const socket = `${process.env.TMUX_TMPDIR || "/tmp"}/tmux-${process.getuid!()}/${name}`;
    expect(existsSync(socket)).toBe(true);
    await tmux.killServer();
    expect(existsSync(socket)).toBe(false);
    expect(await tmux.hasSession("a")).toBe(false);
  });
});
