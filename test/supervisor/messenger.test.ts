import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { systemClock } from "../../src/clock.ts";
import { createMetrics } from "../../src/metrics.ts";
import { openStore, type Store } from "../../src/store/index.ts";
import { Messenger } from "../../src/supervisor/messenger.ts";
import { sanitizePing } from "../../src/loops/sanitize.ts";
import { TmuxSessions } from "../../src/supervisor/tmux-sessions.ts";
import { Agents } from "../support/agents.ts";
import { tempDir } from "../support/bot.ts";
import { waitFor } from "../support/wait.ts";

describe("messenger (real tmux, fake agents)", () => {
  const dir = tempDir();
  const agents = new Agents(dir);
  let store: Store;
  let messenger: Messenger;

  beforeAll(() => {
    store = openStore(join(dir, "data"));
    const log = pino({ level: "silent" });
    messenger = new Messenger({
      agents: new TmuxSessions({ tmux: agents.tmux, agents: new Map(), clock: systemClock, log }),
      store: store.pings,
      clock: systemClock,
      log,
      metrics: createMetrics(),
      retryMs: 100,
    });
    messenger.start();
  });
  afterEach(() => messenger.idle());
  afterAll(async () => {
    await messenger.stop();
    await store.close();
    await agents.close();
  });

  let n = 0;
  const ping = async (session: string | null, text: string) => {
    await store.pings.enqueue({ loop: "l", role: "builder", session, text, receivedAt: Date.now(), repo: "o/r", shas: [`${++n}`.padStart(40, "0")] }, Date.now());
    messenger.wake();
  };
  const pingState = async (text: string) => (await store.pings.recent(100)).find((p) => p.text === text);

  it("types the text literally and submits it", async () => {
    await agents.start("m-plain");
    await ping("m-plain", "hello builder");
    await waitFor(() => agents.received("m-plain").length === 1, "the agent to receive the ping");
    expect(agents.received("m-plain")).toEqual(["hello builder"]);
    await waitFor(async () => (await pingState("hello builder"))?.state === "delivered", "the ping to be recorded as delivered");
    expect((await pingState("hello builder"))?.attempts).toBe(1);
  });

  it("presses Enter again when the agent swallowed the first one, and submits once", async () => {
    await agents.start("m-swallow", "--swallow-first-enter");
    await ping("m-swallow", "claim(gate-2): ready");
    await waitFor(async () => (await pingState("claim(gate-2): ready"))?.state === "delivered", "delivery after a retried Enter");
    expect(agents.received("m-swallow")).toEqual(["claim(gate-2): ready"]);
    expect((await pingState("claim(gate-2): ready"))?.attempts).toBeGreaterThanOrEqual(2);
  });

  it("queues a ping for an absent session and delivers it once the session exists", async () => {
    await ping("m-later", "waiting for you");
    await waitFor(async () => (await pingState("waiting for you"))?.lastError === "session absent", "the ping to wait");
    expect((await pingState("waiting for you"))?.state).toBe("queued");
    await agents.start("m-later");
    messenger.wake();
    await waitFor(() => agents.received("m-later").length === 1, "the late session to receive the ping");
    expect(agents.received("m-later")).toEqual(["waiting for you"]);
  });

  it("targets sessions by exact name: cc-ci-assistant's ping never reaches cc-ci-assistant3", async () => {
    await agents.start("cc-ci-assistant3");
    await ping("cc-ci-assistant", "for the assistant only");
    await waitFor(async () => (await pingState("for the assistant only"))?.lastError === "session absent", "the ping to wait for its exact session");
    expect(agents.received("cc-ci-assistant3")).toEqual([]);
    await agents.start("cc-ci-assistant");
    messenger.wake();
    await waitFor(() => agents.received("cc-ci-assistant").length === 1, "the exact session to receive it");
    expect(agents.received("cc-ci-assistant3")).toEqual([]);
  });

  it("waits while the session shows it is busy", async () => {
    await agents.start("m-busy", "--busy");
    await ping("m-busy", "not now");
    await waitFor(async () => (await pingState("not now"))?.lastError === "session busy", "the ping to wait for a busy session");
    expect(agents.received("m-busy")).toEqual([]);
    await agents.tmux.killSession("m-busy");
  });

  it("records a ping for a role without a session as undeliverable, visibly", async () => {
    await ping(null, "nobody home");
    await waitFor(async () => (await pingState("nobody home"))?.state === "undeliverable", "the ping to be marked undeliverable");
    expect((await pingState("nobody home"))?.lastError).toBe("no session is configured for role builder");
  });

  it("delivers hostile commit subjects as one sanitised, capped line and runs nothing", async () => {
    await agents.start("m-hostile");
    const marker = join(dir, "pwned");
    const hostile = [
      "\x1b[31mred\x1b[0m claim(x): \x1b]0;title\x07done",
      `fix\r\n; touch ${marker}\rEnter C-c Escape`,
      `$(touch ${marker}) \`touch ${marker}\``,
      "long ".repeat(2000),
    ];
    const texts = hostile.map((h) => sanitizePing(h));
    for (const t of texts) await ping("m-hostile", t);
    await waitFor(() => agents.received("m-hostile").length === texts.length, "all hostile pings to arrive");
    const got = agents.received("m-hostile");
    expect(got[0]).toBe("red claim(x): done");
    expect(got[1]).toBe(`fix ; touch ${marker} Enter C-c Escape`);
    expect(got[2]).toBe(`$(touch ${marker}) \`touch ${marker}\``);
    expect(got[3]!.length).toBeLessThanOrEqual(600);
    expect(got[3]!.endsWith("…")).toBe(true);
    expect(existsSync(marker)).toBe(false);
    expect(await agents.tmux.hasSession("m-hostile")).toBe(true);
  });
});
