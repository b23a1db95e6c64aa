/**
 * A profile knows one agent TUI's screen (docs/design.md#agents-as-they-really-are): where its input box is and what it holds,
 * its footer, the transcript's markers, the last reply, which banner is a limit and which error
 * is fatal. Profiles are data (patterns, keys) plus a small pure reader over a captured screen;
 * the tmux backend acts on what they read.
 */

export type ProfileName = "claude-code" | "opencode" | "generic";
export const PROFILE_NAMES = ["claude-code", "opencode", "generic"] as const satisfies readonly ProfileName[];

/** Pattern lists a profile matches; the configuration may replace any of them. */
export interface ProfilePatterns {
  fatal: readonly RegExp[];
  limit: readonly RegExp[];
  busy: readonly RegExp[];
  /** Only the operator can fix these (wrong credentials): an alert, never a restart. */
  alert: readonly RegExp[];
  /** generic: the TUI's input line; default the last non-empty line. */
  inputLine?: RegExp | undefined;
}

/** Lists the configuration sets (an unset one keeps the profile's). */
export type PatternOverrides = { [K in keyof ProfilePatterns]?: ProfilePatterns[K] | undefined };

export interface ScreenReading {
  /**
   * What the input box holds ("" when empty; a placeholder is not typed text), or null when
   * there is no input box on the screen (a menu is open, or the TUI has not drawn yet).
   */
  box: string | null;
  /** A menu is open: typed text would be lost; `closeMenu` closes it. */
  menu: boolean;
  busy: boolean;
  /** The line(s) under the input box. */
  footer: string | null;
  /** The last prompt the TUI submitted (first line), when the screen shows it. */
  lastPrompt: string | null;
  /** The agent's last reply after the last submitted prompt, markers stripped. */
  lastReply: string | null;
  /** `WAITING-UNTIL: <ISO-8601 UTC>` ending the last reply. */
  waitingUntil: number | null;
  /** The newest event is a limit banner; resetAt null = the banner names no time. */
  limit: { line: string; resetAt: number | null } | null;
  /** The newest event is a fatal error. */
  fatal: string | null;
  /** The newest event says the credentials are wrong. */
  alert: string | null;
}

export interface Profile {
  name: ProfileName;
  patterns: ProfilePatterns;
  /** Reads a captured screen (`capture-pane -p`); `now` anchors reset times such as `9:42pm`. */
  read(screen: string, now: number): ScreenReading;
  /** Whether the box still holds the text after Enter (i.e. it was not submitted). */
  stillTyped(reading: ScreenReading, text: string): boolean;
  /** tmux key names that close an open menu. */
  closeMenu: readonly string[];
  /** tmux key names that empty the input box, or null when the TUI has no such key. */
  clearBox: readonly string[] | null;
  /** Waits before each look at the box after Enter, when this TUI needs longer than the default. */
  enterBackoffMs?: readonly number[];
}

/** Splits a screen into lines without trailing blanks. */
export function screenLines(screen: string): string[] {
  return screen.split("\n").map((l) => l.trimEnd());
}

/** `WAITING-UNTIL: <ISO-8601>` as the last non-empty line of a reply. */
export function waitingUntilIn(reply: string | null): number | null {
  const last = reply?.split("\n").map((l) => l.trim()).filter(Boolean).at(-1);
  const m = /^WAITING-UNTIL:\s*(\S+)$/.exec(last ?? "");
  if (!m) return null;
  const t = Date.parse(m[1]!);
  return Number.isNaN(t) ? null : t;
}
