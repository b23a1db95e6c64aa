import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { systemClock } from "../../src/clock.ts";
import { Tmux } from "../../src/supervisor/tmux.ts";
import { TmuxSessions, type TmuxAgent } from "../../src/supervisor/tmux-sessions.ts";
import { tempDir } from "../support/bot.ts";
import { FakeModel } from "../support/fake-model.ts";
import { opencodeTuiSpec, type RefusingProxy } from "../support/opencode.ts";
import { waitFor } from "../support/wait.ts";
import { configuredAgent, wrapperScript } from "../support/wrapper-script.ts";

// The real opencode TUI (opencode-ai 1.18.33), offline against the fake model, started by the bot
// through a wrapper script with no profile: configured: only its screen says it is opencode.
describe("the real opencode TUI through a wrapper script, no profile set", () => {
  const tmux = new Tmux({ socketName: `ccci-ocw-${process.pid}` });
  const name = "oc-wrapped";
  let model: FakeModel;
  let proxy: RefusingProxy;
  let exited: () => Promise<void> = async () => undefined;
  let agent: TmuxAgent;
  let backend: TmuxSessions;

  beforeAll(async () => {
    model = await new FakeModel().start();
    const spec = await opencodeTuiSpec({ modelUrl: model.url });
    proxy = spec.proxy;
    exited = spec.exited;
    const wrapper = wrapperScript(tempDir(), "agent-tui.sh", [spec.argv[0]!], spec.env, { cleanEnv: true });
    agent = configuredAgent(name, [wrapper, ...spec.argv.slice(1)], undefined, spec.cwd);
    backend = new TmuxSessions({ tmux, agents: new Map([[name, agent]]), clock: systemClock, log: pino({ level: "silent" }), readyTimeoutMs: 150_000 });
  });

  afterAll(async () => {
    await tmux.killServer();
    // Killed with its tmux server, the TUI still writes its database on the way out.
    await exited();
    await proxy?.stop();
    await model?.stop();
  });

  it("is started with the generic guess, recognized as opencode, and its kickoff typed into its box and answered", async () => {
    expect(agent).toMatchObject({ profileSet: false, profile: { name: "generic" } });
    const kickoff = "kickoff: read the plan";
    await backend.startFresh(name, kickoff);
    await waitFor(() => model.prompts().includes(kickoff), "the model to receive the kickoff", 120_000);
    expect(backend.profileOf(name, await tmux.capture(name)).name).toBe("opencode");
    await waitFor(
      async () => {
        const s = await backend.state(name);
        return s.kind === "idle" && s.lastReply !== null && !model.holding;
      },
      "the kickoff's reply on the screen, idle",
      120_000,
    );
  }, 300_000);
});
