import { afterAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import { pino } from "pino";
import { systemClock } from "../../src/clock.ts";
import { Tmux } from "../../src/supervisor/tmux.ts";
import { TmuxSessions, type TmuxAgent } from "../../src/supervisor/tmux-sessions.ts";
import { Agents } from "../support/agents.ts";
import { tempDir } from "../support/bot.ts";
import { claudeScreen, lostText, showClaude } from "../support/claude-screens.ts";

/** Text and Enter in ONE tmux command (the way that gets the Enter swallowed), and the bot's own first Enter lost. */
class ChainedTmux extends Tmux {
  enters = 0;
  constructor(private readonly socket: string) {
    super({ socketName: socket });
  }
  override async typeAndCapture(name: string, text: string): Promise<string | null> {
    await execa("tmux", ["-L", this.socket, "send-keys", "-t", `=${name}:`, "-l", "--", text, ";", "send-keys", "-t", `=${name}:`, "Enter"]);
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

describe("tmux backend on Claude Code's real screen", () => {
  const agents = new Agents(tempDir());
  const specs = new Map<string, TmuxAgent>();
  const log = pino({ level: "silent" });
  const backend = new TmuxSessions({ tmux: agents.tmux, agents: specs, clock: systemClock, log });
  afterAll(() => agents.close());

  const screen = async (session: string, fixture: string, ...flags: string[]) => {
    const a = claudeScreen(agents, session, fixture, ...flags);
    specs.set(session, a);
    await showClaude(agents, a);
    return a;
  };

  it("types a long ping, then presses Enter as its own tmux command: taken at the first Enter", async () => {
    await screen("cc-idle", "subscription/idle.txt");
    const text = `claim(gate-3): ${"ready for review ".repeat(30)}`.trim();
    const r = await backend.submit("cc-idle", text);
    expect(r).toEqual({ taken: true, attempts: 1 });
    expect(agents.received("cc-idle")).toEqual([text]);
    expect((await backend.state("cc-idle")).kind).toBe("idle");
  });

  it("detects an Enter swallowed with a 300+ character text (the box shows [Pasted text]) and presses it again", async () => {
    const chained = new ChainedTmux(agents.socket);
    const swallowing = new TmuxSessions({ tmux: chained, agents: specs, clock: systemClock, log, enterBackoffMs: [50, 100, 200, 400] });
    await screen("cc-swallow", "api-key/idle.txt");
    const text = `review(gate-3): ${"x".repeat(320)}`;
    const r = await swallowing.submit("cc-swallow", text);
    expect(r.taken).toBe(true);
    expect(r.attempts).toBeGreaterThanOrEqual(2);
    expect(agents.received("cc-swallow")).toEqual([text]);
  });

  it("clears an interrupted prompt out of the box before typing, so the ping is not glued onto it", async () => {
    await screen("cc-interrupted", "subscription/interrupted.txt");
    expect(profileBox(await agents.tmux.capture("cc-interrupted"), specs.get("cc-interrupted")!)).toMatch(/^PING-overloaded-/);
    const r = await backend.submit("cc-interrupted", "review(gate-3): please look");
    expect(r.taken).toBe(true);
    expect(agents.received("cc-interrupted")).toEqual(["review(gate-3): please look"]);
  });

  it("closes the limit menu with Escape before typing: nothing is lost", async () => {
    await screen("cc-menu", "subscription/limit.txt");
    const r = await backend.submit("cc-menu", "claim(gate-4): ready");
    expect(r.taken).toBe(true);
    expect(agents.received("cc-menu")).toEqual(["claim(gate-4): ready"]);
    expect(lostText(agents, "cc-menu")).toBe("");
  });

  it("never types into a menu that will not close: the ping waits", async () => {
    await screen("cc-sticky", "subscription/limit-menu-typed.txt", "--sticky-menu");
    const r = await backend.submit("cc-sticky", "claim(gate-4): ready");
    expect(r).toEqual({ taken: false, attempts: 0, detail: "a menu is open and did not close", later: true });
    expect(lostText(agents, "cc-sticky")).toBe("");
    expect(agents.received("cc-sticky")).toEqual([]);
  });

  it("holds a ping for a busy session and reads its states from the screen", async () => {
    await screen("cc-busy", "subscription/busy-queued.txt");
    expect(await backend.submit("cc-busy", "later please")).toMatchObject({ taken: false, later: true, detail: "session busy" });
    expect((await backend.state("cc-busy")).kind).toBe("busy");
    await screen("cc-limit", "subscription/limit-again.txt");
    expect(await backend.state("cc-limit")).toMatchObject({ kind: "limit", limitResetAt: expect.any(Number) as number });
    await screen("cc-auth", "api-key/auth-error.txt");
    expect(await backend.state("cc-auth")).toMatchObject({ kind: "fatal", alert: { kind: "credentials" } });
    expect(await backend.state("cc-nobody")).toEqual({ kind: "absent", lastReply: null, activity: null });
  });
});

function profileBox(screen: string, a: TmuxAgent): string | null {
  return a.profile.read(screen, Date.now()).box;
}
