export interface PanePatterns {
  fatal: readonly RegExp[];
  limit: readonly RegExp[];
  busy: readonly RegExp[];
  inputLine?: RegExp | undefined;
}

export interface PaneReading {
  fatal: boolean;
  /** The newest limit banner still in force, or null. */
  limitBanner: string | null;
  busy: boolean;
  /** The agent's last message line: the last non-empty line above the input line. */
  lastMessage: string | null;
}

/** What the bot types itself; a banner above it is an old one (it was already handled). */
export const BOT_MARK = "[cc-ci-bot]";
const RECENT = 15;

/**
 * Reads an agent's pane (docs/design.md#supervisor). Only the bottom of the pane counts for the fatal, limit and
 * busy patterns, and a limit banner counts only if nothing the bot typed came after it.
 */
export function readPane(pane: string, p: PanePatterns): PaneReading {
  const lines = pane.split("\n").map((l) => l.trimEnd()).filter((l) => l.trim() !== "");
  const recent = lines.slice(-RECENT);
  let limitBanner: string | null = null;
  for (const line of recent) {
    if (line.includes(BOT_MARK)) limitBanner = null;
    else if (p.limit.some((re) => re.test(line))) limitBanner = line;
  }
  const inputAt = p.inputLine ? findLastIndex(lines, (l) => p.inputLine!.test(l)) : lines.length - 1;
  const above = lines.slice(0, inputAt < 0 ? lines.length : inputAt);
  return {
    fatal: recent.some((l) => p.fatal.some((re) => re.test(l))),
    limitBanner,
    busy: recent.slice(-5).some((l) => p.busy.some((re) => re.test(l))),
    lastMessage: above.at(-1)?.trim() ?? null,
  };
}

/** `WAITING-UNTIL: <ISO-8601 UTC>` as the agent's last message: when it means to wake itself. */
export function waitingUntil(lastMessage: string | null): number | null {
  const m = /^WAITING-UNTIL:\s*(\S+)\s*$/.exec(lastMessage ?? "");
  if (!m) return null;
  const t = Date.parse(m[1]!);
  return Number.isNaN(t) ? null : t;
}

/**
 * The reset time a limit banner announces, or null when it cannot be read. Understands an
 * ISO-8601 time, "in N minutes/hours", and "at 3pm" / "at 15:30" / "at 5:30 PM" (UTC, the
 * next such time after `now`).
 */
export function resetTime(banner: string, now: number): number | null {
  const iso = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:?\d{2})/.exec(banner);
  if (iso) {
    const t = Date.parse(iso[0]);
    if (!Number.isNaN(t)) return t;
  }
  const rel = /\bin\s+(\d+)\s*(minutes?|mins?|hours?|hrs?|h)\b/i.exec(banner);
  if (rel) return now + Number(rel[1]) * (/^h/i.test(rel[2]!) ? 3_600_000 : 60_000);
  const at = /\b(?:at|until)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b/i.exec(banner);
  if (at) {
    let hour = Number(at[1]);
    const minute = Number(at[2] ?? 0);
    const half = at[3]?.toLowerCase();
    if (!half && at[2] === undefined) return null; // a bare number is not a time
    if (half === "pm" && hour < 12) hour += 12;
    if (half === "am" && hour === 12) hour = 0;
    if (hour > 23 || minute > 59) return null;
    const d = new Date(now);
    d.setUTCHours(hour, minute, 0, 0);
    if (d.getTime() <= now) d.setUTCDate(d.getUTCDate() + 1);
    return d.getTime();
  }
  return null;
}

function findLastIndex<T>(xs: readonly T[], pred: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (pred(xs[i]!)) return i;
  return -1;
}
