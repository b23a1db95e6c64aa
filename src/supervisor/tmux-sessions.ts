import { createHash } from "node:crypto";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { AgentSessions, AgentState, SubmitResult } from "./agent-sessions.ts";
import type { PatternOverrides, Profile, ScreenReading } from "./profiles/index.ts";
import { ScreenProfiles, type ProfileSetting } from "./screen-profiles.ts";
import { sanitizePing } from "../loops/sanitize.ts";
import type { SessionSpec } from "./sessions.ts";
import type { Tmux } from "./tmux.ts";

export interface TmuxAgent extends SessionSpec, ProfileSetting {}

export interface TmuxSessionsOptions {
  tmux: Pick<Tmux, "captureIfPresent" | "typeAndCapture" | "enterAndCapture" | "keys" | "newSession" | "killSession" | "hasSession">;
  /** The sessions this backend starts, by tmux name; others can still be read and typed into. */
  agents: ReadonlyMap<string, TmuxAgent>;
  clock: Clock;
  log: Logger;
  /** Pattern lists from the configuration, for profiles the screen picks. */
  overrides?: PatternOverrides | undefined;
  /** Waits after each Enter before the look at the input box; Enter is pressed once per wait until the text is gone. */
  enterBackoffMs?: readonly number[];
  /** How long a freshly started TUI may take to draw its input box before the kickoff is typed (90 s: opencode took 20-30 s on a loaded 2-core machine). */
  readyTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_BACKOFF = [25, 50, 100, 200, 400, 800, 1600];
/** After Escape or C-u, how long the TUI gets to redraw before the screen is read again. */
const SETTLE_MS = [50, 100, 200, 400];
/**
 * How long typed text may take to show in the box before Enter is pressed anyway. The first
 * wait runs inside the tmux invocation that types: a TUI never draws the text before it has
 * read it, so a look at once would only cost one more invocation.
 */
const SHOWN_MS = [25, 50, 100, 200, 400, 800, 1600, 3200];
/** How many looks (150 ms apart) an undecided screen must stay the same before the kickoff is typed. */
const UNDECIDED_STILL_LOOKS = 10;
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The tmux backend (docs/design.md#agents-as-they-really-are): an agent TUI in a tmux session, read through its profile.
 * Typing: the text literally (`send-keys -l`), then Enter as a tmux command of its own (an Enter
 * in the same command as a long text is swallowed by Claude Code while it ingests the paste);
 * "not submitted" is the box still holding text after the Enter, and Enter is pressed again with
 * backoff up to a bound. An open menu is closed first and nothing is typed while one is open
 * (Claude Code's limit menu eats typed text); a box holding old text (an interrupted prompt is
 * put back there) is emptied first, or the ping would be glued onto it.
 */
export class TmuxSessions implements AgentSessions {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly profiles: ScreenProfiles;

  constructor(private readonly o: TmuxSessionsOptions) {
    this.sleep = o.sleep ?? realSleep;
    this.profiles = new ScreenProfiles({ overrides: o.overrides, log: o.log });
  }

  /** The profile that reads this screen of the session (see ScreenProfiles). */
  profileOf(name: string, screen: string): Profile {
    return this.profiles.pick(name, this.o.agents.get(name), screen);
  }

  async state(name: string): Promise<AgentState> {
    const screen = await this.capture(name);
    if (screen === null) return { kind: "absent", lastReply: null, activity: null };
    const r = this.profileOf(name, screen).read(screen, this.o.clock.now());
    const base = { lastReply: r.lastReply, activity: createHash("sha1").update(screen).digest("hex") };
    if (r.alert !== null) return { ...base, kind: "fatal", fatalReason: r.alert, detail: r.alert, alert: { kind: "credentials", message: r.alert } };
    if (r.fatal !== null) return { ...base, kind: "fatal", fatalReason: r.fatal, detail: r.fatal };
    if (r.limit !== null) return { ...base, kind: "limit", limitResetAt: r.limit.resetAt, detail: r.limit.line };
    if (r.busy) return { ...base, kind: "busy", detail: r.footer ?? undefined };
    if (r.waitingUntil !== null) return { ...base, kind: "waiting", waitingUntil: r.waitingUntil };
    return { ...base, kind: "idle" };
  }

  async submit(name: string, text: string): Promise<SubmitResult> {
    const { tmux } = this.o;
    const screen = await this.capture(name);
    if (screen === null) return { taken: false, attempts: 0, detail: "session absent", later: true };
    const profile = this.profileOf(name, screen);
    let r: ScreenReading | null = profile.read(screen, this.o.clock.now());
    if (r.menu) {
      r = await this.settle(name, profile, profile.closeMenu, (x) => !x.menu);
      if (r === null || r.menu) return { taken: false, attempts: 0, detail: "a menu is open and did not close", later: true };
      this.o.log.info({ session: name }, "closed an open menu before typing");
    }
    if (r.busy) return { taken: false, attempts: 0, detail: "session busy", later: true };
    if (r.box === null) return { taken: false, attempts: 0, detail: "no input box on the screen", later: true };
    if (r.box !== "" && profile.clearBox) {
      r = await this.settle(name, profile, profile.clearBox, (x) => x.box === "");
      if (r?.box !== "") return { taken: false, attempts: 0, detail: "the input box holds old text that would not clear", later: true };
      this.o.log.info({ session: name }, "cleared old text from the input box before typing");
    }
    // The text and a first look at the box in one tmux invocation, then Enter and the look after
    // it in another: each invocation costs a process start on the path from a push to its ping.
    const typed = await tmux.typeAndCapture(name, text, SHOWN_MS[0]!);
    if (typed === null) return { taken: false, attempts: 0, detail: "session absent", later: true };
    // A TUI may show typed text only after a while (opencode takes a long text in over seconds on
    // a loaded machine): an Enter pressed before that is lost in the text, so wait for it.
    const shown = (x: ScreenReading) => x.box !== null && profile.stillTyped(x, text);
    if (!shown(profile.read(typed, this.o.clock.now()))) await this.waitUntil(name, profile, shown, SHOWN_MS.slice(1));
    let attempts = 0;
    const backoff = this.o.enterBackoffMs ?? profile.enterBackoffMs ?? DEFAULT_BACKOFF;
    for (const wait of backoff) {
      const screen = await tmux.enterAndCapture(name, wait);
      attempts++;
      if (screen === null) return { taken: false, attempts, detail: "the session ended while typing", later: false };
      if (!profile.stillTyped(profile.read(screen, this.o.clock.now()), text)) return { taken: true, attempts };
    }
    return { taken: false, attempts, detail: `the text stayed in the input box after ${attempts} Enter presses`, later: false };
  }

  async startFresh(name: string, kickoff: string | undefined): Promise<void> {
    const a = this.o.agents.get(name);
    if (!a) throw new Error(`no tmux session named ${name} is configured`);
    await this.stop(name);
    this.profiles.forget(name);
    // tmux may still be tearing the old session down; a new one of the same name must wait.
    for (let i = 0; i < 50 && (await this.o.tmux.hasSession(name)); i++) await this.sleep(20);
    const prompt = kickoff === undefined ? undefined : sanitizePing(kickoff, 4000);
    const argv = prompt !== undefined && a.promptVia === "argument" ? [...a.start, prompt] : [...a.start];
    await this.o.tmux.newSession(name, { cwd: a.cwd, argv });
    this.o.log.info({ session: name, profile: a.profileSet ? a.profile.name : "read from the screen", kickoff: prompt !== undefined }, "session started");
    if (prompt === undefined || a.promptVia !== "typed") return;
    await this.waitUntilDrawn(name);
    const r = await this.submit(name, prompt);
    if (!r.taken) this.o.log.warn({ session: name, detail: r.detail }, "kickoff was typed but not submitted");
  }

  async stop(name: string): Promise<void> {
    if (!(await this.o.tmux.hasSession(name))) return;
    await this.o.tmux.killSession(name);
    this.profiles.forget(name);
    this.o.log.info({ session: name }, "session stopped");
  }

  private async read(name: string, profile: Profile): Promise<ScreenReading | null> {
    const screen = await this.capture(name);
    return screen === null ? null : profile.read(screen, this.o.clock.now());
  }

  /** The session's screen, or null when it is gone (its next screen decides its profile again). */
  private async capture(name: string): Promise<string | null> {
    const screen = await this.o.tmux.captureIfPresent(name);
    if (screen === null) this.profiles.forget(name);
    return screen;
  }

  /** Presses keys, then reads until `done` holds or the settle time is over. */
  private async settle(name: string, profile: Profile, keys: readonly string[], done: (r: ScreenReading) => boolean): Promise<ScreenReading | null> {
    await this.o.tmux.keys(name, keys);
    return this.waitUntil(name, profile, done, SETTLE_MS);
  }

  /** Reads the screen after each wait until `done` holds; the last reading (null: session gone). */
  private async waitUntil(name: string, profile: Profile, done: (r: ScreenReading) => boolean, waits: readonly number[]): Promise<ScreenReading | null> {
    let r: ScreenReading | null = null;
    for (const wait of waits) {
      await this.sleep(wait);
      r = await this.read(name, profile);
      if (r === null || done(r)) return r;
    }
    return r;
  }

  /**
   * Waits until the screen shows an input box (or anything, for a TUI without one) and holds
   * still. While no screen has told which TUI runs, a still screen must hold longer: a known TUI
   * may still be loading behind it, and text typed then is lost.
   */
  private async waitUntilDrawn(name: string): Promise<void> {
    const deadline = Date.now() + (this.o.readyTimeoutMs ?? 90_000);
    let last = "";
    let still = 0;
    while (Date.now() < deadline) {
      const screen = (await this.capture(name)) ?? "";
      still = screen === last ? still + 1 : 0;
      const profile = this.profileOf(name, screen);
      const needed = this.profiles.settled(name, this.o.agents.get(name)) ? 1 : UNDECIDED_STILL_LOOKS;
      if (screen.trim() !== "" && still >= needed && profile.read(screen, this.o.clock.now()).box !== null) return;
      last = screen;
      await this.sleep(150);
    }
  }
}
