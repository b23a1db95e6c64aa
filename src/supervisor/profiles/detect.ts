import { screenLines } from "./profile.ts";

export type DetectedProfile = "claude-code" | "opencode";

const RULE = /^─{8,}\s*$/;
/** Claude Code's header, boxed (`╭─── Claude Code v2.1.197 ───╮`) or compact (`▐▛███▜▌   Claude Code v2.1.197`). */
const CLAUDE_HEADER = /(?:╭─+|▐▛███▜▌)\s+Claude Code v\d+\.\d+/;
/** The line a Claude Code turn ends with: `✻ Crunched for 0s`. */
const CLAUDE_TIMER = /^✻ \S+ for \d+(?:\.\d+)?\s*[smh]\b/;
/** opencode's input box ends in a half-block edge under its left border: `┃ …` then `╹▀▀▀▀…`. */
const OPENCODE_EDGE = /╹▀{8,}/;
/** opencode's footer on the session view, and its version at the bottom right of the home screen. */
const OPENCODE_FOOTER = /ctrl\+p commands|• OpenCode \d+\.\d+/;

/**
 * Which agent TUI draws this screen, from what only that TUI draws; null while nothing decides
 * (a blank screen at start, a setup dialog, a shell, another program).
 *
 * Claude Code: its input box, a line starting `❯` right under a full-width rule with another rule
 * below it and a footer under that; or its header; or a turn's timer line. Its limit menu has no
 * box, but the banner's turn leaves the timer line above it.
 * opencode: its input box, left-bordered lines `┃` ending in the edge `╹▀▀▀…` in the same column;
 * or its footer (`ctrl+p commands`, `• OpenCode 1.18.33`).
 */
export function detectProfile(screen: string): DetectedProfile | null {
  const lines = screenLines(screen);
  if (claudeBox(lines) || lines.some((l) => CLAUDE_HEADER.test(l) || CLAUDE_TIMER.test(l))) return "claude-code";
  if (opencodeBox(lines) || lines.some((l) => OPENCODE_FOOTER.test(l))) return "opencode";
  return null;
}

function claudeBox(lines: readonly string[]): boolean {
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!RULE.test(lines[i]!) || !lines[i + 1]!.startsWith("❯")) continue;
    const close = lines.findIndex((l, j) => j > i + 1 && RULE.test(l));
    if (close > 0 && lines.slice(close + 1).some((l) => l.trim() !== "")) return true;
  }
  return false;
}

function opencodeBox(lines: readonly string[]): boolean {
  return lines.some((l, i) => {
    const m = OPENCODE_EDGE.exec(l);
    return m !== null && i > 0 && lines[i - 1]![m.index] === "┃";
  });
}
