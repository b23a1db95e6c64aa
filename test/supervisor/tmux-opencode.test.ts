import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { execa } from "execa";
import { pino } from "pino";
import { systemClock } from "../../src/clock.ts";
import { createMetrics } from "../../src/metrics.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { Messenger } from "../../src/supervisor/messenger.ts";
import { profileFor } from "../../src/supervisor/profiles/index.ts";
import { Tmux } from "../../src/supervisor/tmux.ts";
import { TmuxSessions, type TmuxAgent } from "../../src/supervisor/tmux-sessions.ts";
import { tempDir } from "../support/bot.ts";
import { FakeModel } from "../support/fake-model.ts";
import { opencodeTuiSpec, type RefusingProxy } from "../support/opencode.ts";
import { waitFor } from "../support/wait.ts";

/**
 * Text and Enter in ONE tmux command, delivered as a paste (bracketed, as a terminal pastes):
 * opencode takes a paste in as text and drops its trailing newline (prompt/index.tsx onPaste:
 * `normalizedText.trim()`), so the Enter is swallowed every time. (Sent as keys, `send-keys -l
 * text ; send-keys Enter`, opencode 1.18.33 sometimes swallowed the Enter and sometimes submitted
 * after taking the characters in one by one for seconds.) The bot's own first Enter is lost too,
 * so the check after it must find the text still in the box.
 */
class ChainedTmux extends Tmux {
  enters = 0;
  constructor(private readonly socket: string) {
    super({ socketName: socket });
  }
  override async typeAndCapture(name: string, text: string): Promise<string | null> {
    const buffer = `ccci-${process.pid}`;
    await execa("tmux", ["-L", this.socket, "set-buffer", "-b", buffer, "--", `${text}\r`, ";", "paste-buffer", "-p", "-r", "-d", "-b", buffer, "-t", `=${name}:`]);
    return this.captureIfPresent(name);
  }
  override async enterAndCapture(name: string, waitMs: number): Promise<string | null> {
    if (this.enters++ === 0) {
      await new Promise((r) => setTimeout(r, waitMs));
      return this.captureIfPresent(name);
    }
    return super.enterAndCapture(name, waitMs);
  }
}

// The real opencode TUI (opencode-ai 1.18.33) in tmux, offline against the fake model. It takes
// tens of seconds to start on a loaded machine: one TUI serves the whole file.
describe("tmux backend on the real opencode TUI", () => {
  const socket = `ccci-oc-${process.pid}`;
  const tmux = new Tmux({ socketName: socket });
  const log = pino({ level: "silent" });
  const name = "oc-builder";
  let model: FakeModel;
  let proxy: RefusingProxy;
  let exited: () => Promise<void> = async () => undefined;
  let store: Store;
  let agent: TmuxAgent;
  let backend: TmuxSessions;

  beforeAll(async () => {
    model = await new FakeModel().start();
    const spec = await opencodeTuiSpec({ modelUrl: model.url });
    proxy = spec.proxy;
    exited = spec.exited;
    agent = { tmux: name, start: spec.argv, cwd: spec.cwd, promptVia: "typed", profile: profileFor(undefined, spec.argv) };
    backend = new TmuxSessions({ tmux, agents: new Map([[name, agent]]), clock: systemClock, log });
    store = openStore(join(tempDir(), "data"));
    await tmux.newSession(name, { argv: spec.argv, env: spec.env, cwd: spec.cwd });
    await ready("the opencode TUI to draw its input box", 150_000);
  }, 180_000);

  /** Idle with an empty input box: after a turn the TUI redraws for a while, and a submit then is refused for later. */
  const ready = (what: string, timeoutMs: number) =>
    waitFor(async () => (await backend.state(name)).kind === "idle" && agent.profile.read(await tmux.capture(name), Date.now()).box === "", what, timeoutMs);

  /**
   * Submits as the messenger does: a submit put off for later (nothing typed: the session busy, or
   * no input box on the screen) is tried again. The screen can read idle before a turn shows as
   * busy: on a fresh session's first prompt opencode 1.18.33 emptied the box, drew no box for
   * 0.1-1.4 s, and once (1 probe in 4) drew the session view with an empty box and no
   * `esc interrupt` for 0.7 s before the turn began. Each refusal is kept, with its screen, for
   * the failure message.
   */
  const submitLikeTheMessenger = async (sessions: TmuxSessions, text: string) => {
    const refused: string[] = [];
    const r = await waitFor(
      async () => {
        const r = await sessions.submit(name, text);
        if (r.taken || !r.later) return r;
        refused.push(`${r.detail}:\n${await tmux.capture(name)}`);
        return null;
      },
      "the backend to take the text or fail",
      90_000,
    );
    return { r, refused: refused.join("\n---\n") };
  };

  afterAll(async () => {
    await tmux.killServer();
    // Killed with its tmux server, the TUI still writes its database on the way out: wait, so
    // its temp dir is removed after that.
    await exited();
    await store?.close();
    await proxy?.stop();
    await model?.stop();
  });

  /**
   * The turn's reply on the screen and the session idle. Neither the model having the prompt (the
   * title request carries it too, and may come before the turn shows as busy) nor an idle screen
   * without a reply is the end of the turn.
   */
  const settled = () =>
    waitFor(
      async () => {
        const s = await backend.state(name);
        return s.kind === "idle" && s.lastReply !== null && !model.holding;
      },
      "the turn to end",
      90_000,
    );

  it("delivers a ping: typed, Enter as its own command, the model gets it as the session's next prompt", async () => {
    expect(agent.profile.name).toBe("opencode");
    const messenger = new Messenger({ agents: backend, store: store.pings, clock: systemClock, log, metrics: createMetrics(), retryMs: 200 });
    messenger.start();
    try {
      const text = "claim(gate-2): ready for review";
      await store.pings.enqueue({ loop: "l", role: "adversary", session: name, text, receivedAt: Date.now(), repo: "o/r", shas: ["a".repeat(40)] }, Date.now());
      messenger.wake();
      await waitFor(async () => (await store.pings.recent(10)).find((p) => p.text === text)?.state === "delivered", "the ping to be delivered", 90_000);
      await waitFor(() => model.prompts().includes(text), "the model to receive the ping", 90_000);
    } finally {
      await messenger.stop();
    }
    await settled();
  }, 200_000);

  it("detects a swallowed Enter (300+ characters and Enter in one tmux command) and presses Enter again", async () => {
    const swallowing = new TmuxSessions({ tmux: new ChainedTmux(socket), agents: new Map([[name, agent]]), clock: systemClock, log });
    const text = `review(gate-2): ${"please look at the new parser and its tests ".repeat(8)}END`;
    expect(text.length).toBeGreaterThan(300);
    await ready("an empty input box", 90_000);
    const { r, refused } = await submitLikeTheMessenger(swallowing, text);
    expect(r, JSON.stringify(r) + refused).toMatchObject({ taken: true });
    expect(r.attempts).toBeGreaterThanOrEqual(2);
    await waitFor(() => model.prompts().some((p) => p.trim() === text), "the model to receive the long prompt", 90_000);
    await settled();
    expect(model.prompts().filter((p) => p.trim() === text)).toHaveLength(1);
  }, 200_000);
});
