import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { pino } from "pino";
import { systemClock } from "../../src/clock.ts";
import { createMetrics } from "../../src/metrics.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { Messenger } from "../../src/supervisor/messenger.ts";
import { Tmux } from "../../src/supervisor/tmux.ts";
import { TmuxSessions, type TmuxAgent } from "../../src/supervisor/tmux-sessions.ts";
import { tempDir } from "../support/bot.ts";
import { claudeBin, offlineClaudeEnv } from "../support/claude-code.ts";
import { FakeAnthropic } from "../support/fake-anthropic.ts";
import { RefusingProxy } from "../support/opencode.ts";
import { waitFor } from "../support/wait.ts";
import { configuredAgent, wrapperScript } from "../support/wrapper-script.ts";

const UNTIL = "2026-11-29T19:12:21Z";

// The real Claude Code 2.1.197, offline against a fake Messages API on loopback, started by the
// bot through a wrapper script (as operators do) with no profile: configured: only its screen
// says it is Claude Code.
describe("the real Claude Code through a wrapper script, no profile set", () => {
  const tmux = new Tmux({ socketName: `ccci-claude-${process.pid}` });
  const name = "cc-wrapped";
  let model: FakeAnthropic;
  let proxy: RefusingProxy;
  let store: Store;
  let agent: TmuxAgent;
  let backend: TmuxSessions;

  beforeAll(async () => {
    model = await new FakeAnthropic().start();
    proxy = await new RefusingProxy().start();
    const root = tempDir("ccci-claude-");
    const { env, project } = offlineClaudeEnv({ root, modelUrl: model.url, proxyUrl: proxy.url });
    const wrapper = wrapperScript(root, "claude-offline.sh", [claudeBin()], env, { cleanEnv: true });
    agent = configuredAgent(name, [wrapper, "--model", "claude-sonnet-4-5"], undefined, project);
    backend = new TmuxSessions({ tmux, agents: new Map([[name, agent]]), clock: systemClock, log: pino({ level: "silent" }) });
    store = openStore(join(root, "data"));
  });

  afterAll(async () => {
    await tmux.killServer();
    await store?.close();
    await proxy?.stop();
    await model?.stop();
  });

  it("is started with the generic guess, recognized as claude-code, and its kickoff typed once its box is drawn", async () => {
    expect(agent).toMatchObject({ profileSet: false, profile: { name: "generic" } });
    await backend.startFresh(name, "kickoff: read the plan");
    await waitFor(() => model.prompts.includes("kickoff: read the plan"), `the model to receive the kickoff (got ${JSON.stringify(model.prompts)})`, 60_000);
    expect(backend.profileOf(name, await tmux.capture(name)).name).toBe("claude-code");
    await waitFor(async () => (await backend.state(name)).kind === "idle" && /ok/.test((await backend.state(name)).lastReply ?? ""), "the kickoff's reply, idle", 30_000);
  }, 90_000);

  it("delivers a claim ping (typed, Enter as its own command) and honours the WAITING-UNTIL its reply ends with", async () => {
    const text = "claim(gate-2): ready for review";
    model.reply = (p) => (p === text ? `Waiting for the run.\n\nWAITING-UNTIL: ${UNTIL}` : "ok");
    const messenger = new Messenger({ agents: backend, store: store.pings, clock: systemClock, log: pino({ level: "silent" }), metrics: createMetrics(), retryMs: 200 });
    messenger.start();
    try {
      const t0 = Date.now();
      await store.pings.enqueue({ loop: "l", role: "adversary", session: name, text, receivedAt: t0, repo: "o/r", shas: ["a".repeat(40)] }, t0);
      messenger.wake();
      await waitFor(async () => (await store.pings.recent(10)).find((p) => p.text === text)?.state === "delivered", "the ping to be delivered", 30_000);
    } finally {
      await messenger.stop();
    }
    await waitFor(() => model.prompts.includes(text), "the model to receive the ping", 30_000);
    const s = await waitFor(async () => {
      const st = await backend.state(name);
      return st.kind === "waiting" ? st : null;
    }, "the session to read as waiting", 30_000);
    // Read as generic the marker is missed (a timer line, rules and a footer follow it): a stall restart.
    expect(s).toMatchObject({ kind: "waiting", waitingUntil: Date.parse(UNTIL) });
    expect(model.prompts.filter((p) => p === text)).toHaveLength(1);
  }, 90_000);
});
