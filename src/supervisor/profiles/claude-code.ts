import { resetTime } from "../pane.ts";
import { screenLines, waitingUntilIn, type Profile, type ProfilePatterns, type ScreenReading } from "./profile.ts";
import { zonedResetTime } from "./reset-time.ts";

/**
 * Claude Code (2.1.x) as its screen really is (docs/design.md#agents-as-they-really-are, test/fixtures/claude-code-2.1.197):
 *
 *     ❯ <submitted prompt>          transcript: prompts at column 0, replies `●`, results `⎿`,
 *     ● <reply>                     a timer line per turn (`✻ Crunched for 0s`)
 *     ✻ Crunched for 0s
 *     ─────────────                 rule
 *     ❯ <input box>                 may wrap onto lines indented by 2; `[Pasted text #1 +N lines]`
 *     ─────────────                 rule
 *       ? for shortcuts · …         footer (`esc to interrupt · …` while a turn runs)
 *
 * While the limit menu is open (`What do you want to do?` … `Esc to cancel`) there is one rule
 * and no box. Old banners and errors stay in the scrollback, so only the events after the last
 * submitted prompt count, and of those only the newest decides limit, fatal and alert.
 */
export const CLAUDE_CODE_PATTERNS: ProfilePatterns = {
  fatal: [/redacted_thinking/i, /blocks cannot be modified/i],
  // Tested against the newest event's text with its marker stripped, so a reply that merely
  // talks about limits is not a banner.
  limit: [/^You've hit your .*limit/i, /^API Error: .*\b429\b/i, /^Claude (usage|AI usage) limit reached/i],
  busy: [/esc to interrupt/i],
  alert: [/^Invalid API key\b/i, /^OAuth token (has expired|revoked)/i],
};

const RULE = /^─{8,}$/;
/** A line that starts a transcript item: a marker at column 0, or a result `⎿` under one. */
const ITEM = /^(?:[❯●✻✶✢✳✽·*⎿╭│╰]|\s{1,4}⎿)/;
const TIMER = /^✻ .+ for \d+(\.\d+)?\s*[smh]/;
const SPINNER = /^[·✶✢✳✽*] \S+… \(/;
const PLACEHOLDER = /^Press up to edit queued messages$/;

interface Item {
  head: string;
  lines: string[];
}

export function claudeCodeProfile(patterns: ProfilePatterns = CLAUDE_CODE_PATTERNS): Profile {
  return {
    name: "claude-code",
    patterns,
    read: (screen, now) => readClaudeCode(screen, now, patterns),
    // The box is empty once the prompt went out; after an interrupt it holds the old prompt.
    stillTyped: (r) => r.box !== null && r.box !== "",
    closeMenu: ["Escape"],
    clearBox: ["C-u"],
  };
}

export function readClaudeCode(screen: string, now: number, p: ProfilePatterns): ScreenReading {
  const lines = screenLines(screen);
  const rules = lines.flatMap((l, i) => (RULE.test(l) ? [i] : []));
  const last = rules.at(-1);
  const prev = rules.at(-2);
  const below = last === undefined ? [] : lines.slice(last + 1);
  const menu = below.some((l) => /Esc to cancel/i.test(l)) && below.some((l) => /What do you want to do\?|^\s*❯ \d+\./.test(l));
  let box: string | null = null;
  let footer: string | null = null;
  let transcriptEnd = last ?? lines.length;
  if (!menu && last !== undefined && prev !== undefined && /^❯[ \u00a0]?/.test(lines[prev + 1] ?? "")) {
    const boxLines = lines.slice(prev + 1, last);
    const text = boxLines.map((l, i) => (i === 0 ? l.replace(/^❯[ \u00a0]?/, "") : l).trim()).filter(Boolean).join(" ");
    box = PLACEHOLDER.test(text) ? "" : text;
    footer = below.map((l) => l.trim()).filter(Boolean).join(" ") || null;
    transcriptEnd = prev;
  }

  const items = parseItems(lines.slice(0, transcriptEnd));
  const lastPrompt = findLastIndex(items, (it) => it.head === "❯" && !text(it).startsWith("/"));
  const after = items.slice(lastPrompt + 1);
  const events = after.filter((it) => !isNoise(it));
  const newest = events.at(-1);
  const flat = newest ? text(newest).replace(/\s*\n\s*/g, " ") : "";
  const reply = [...after].reverse().find((it) => it.head === "●");
  const lastReply = reply ? text(reply) : null;
  const matches = (res: readonly RegExp[]) => newest !== undefined && res.some((re) => re.test(flat));
  // The footer says `esc to interrupt` while a turn runs (also while the TUI retries a 529).
  const busy = (footer !== null && p.busy.some((re) => re.test(footer!))) || (newest !== undefined && SPINNER.test(newest.lines[0]!));
  return {
    box,
    menu,
    busy,
    footer,
    lastPrompt: lastPrompt < 0 ? null : text(items[lastPrompt]!).split("\n")[0]!,
    lastReply,
    waitingUntil: reply && reply === newest ? waitingUntilIn(lastReply) : null,
    limit: matches(p.limit) ? { line: flat, resetAt: zonedResetTime(flat, now) ?? resetTime(flat, now) } : null,
    fatal: matches(p.fatal) ? flat : null,
    alert: matches(p.alert) ? flat : null,
  };
}

function parseItems(lines: readonly string[]): Item[] {
  const items: Item[] = [];
  for (const line of lines) {
    if (ITEM.test(line)) items.push({ head: line.trimStart()[0]!, lines: [line] });
    else if (line.trim() !== "") items.at(-1)?.lines.push(line);
  }
  return items;
}

/** The item's text without its marker, continuation lines unindented. */
function text(it: Item): string {
  return it.lines
    .map((l, i) => (i === 0 ? l.trimStart().slice(1) : l).trim())
    .join("\n")
    .trim();
}

/** Timer lines, tips, slash commands and the header box say nothing about the agent's state. */
function isNoise(it: Item): boolean {
  const first = it.lines[0]!;
  return TIMER.test(first) || /^\s*⎿\s+Tip:/.test(first) || /^[╭│╰]/.test(first) || (it.head === "❯" && text(it).startsWith("/"));
}

function findLastIndex<T>(xs: readonly T[], pred: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (pred(xs[i]!)) return i;
  return -1;
}
