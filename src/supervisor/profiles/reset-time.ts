const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
/** A reset named a moment ago is still this one, not tomorrow's (the screen is read late). */
const LATE_MS = 10 * 60_000;

/**
 * The instant a banner like `resets 9:42pm (UTC)`, `resets 9pm (Europe/Berlin)` or
 * `resets Dec 3, 9:42pm (America/New_York)` names: the wall-clock time in the zone in brackets
 * (any IANA name: Claude Code prints the time in its own process's zone), the next such time
 * after `now`. Null when there is no such phrase or the zone is unknown (then: probe).
 */
export function zonedResetTime(line: string, now: number): number | null {
  const m = /\bresets?\s+(?:([a-z]{3})[a-z]*\.?\s+(\d{1,2}),?\s+(?:at\s+)?)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\s*\(([^)\s]+)\)/i.exec(line);
  if (!m) return null;
  let hour = Number(m[3]);
  const minute = Number(m[4] ?? 0);
  const half = m[5]?.toLowerCase();
  if (half === "pm" && hour < 12) hour += 12;
  if (half === "am" && hour === 12) hour = 0;
  if (hour > 23 || minute > 59 || (half && Number(m[3]) > 12)) return null;
  const offset = zoneOffset(m[6]!);
  if (!offset) return null;
  const month = m[1] ? MONTHS.indexOf(m[1].toLowerCase()) : -1;
  if (m[1] && month < 0) return null;
  const today = wall(offset, now);
  const candidates: number[] = [];
  if (month >= 0) {
    for (const y of [today.y, today.y + 1]) candidates.push(toInstant(offset, y, month, Number(m[2]), hour, minute));
  } else {
    for (let add = -1; add <= 2; add++) candidates.push(toInstant(offset, today.y, today.mo, today.d + add, hour, minute));
  }
  return candidates.find((t) => t > now - LATE_MS) ?? null;
}

type Offset = (t: number) => number;

/** The zone's offset from UTC at an instant (ms), or null for a zone Intl does not know. */
function zoneOffset(zone: string): Offset | null {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
  } catch {
    return null;
  }
  return (t) => {
    const p = Object.fromEntries(fmt.formatToParts(new Date(t)).map((x) => [x.type, Number(x.value)]));
    return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(t / 1000) * 1000;
  };
}

function wall(offset: Offset, t: number): { y: number; mo: number; d: number } {
  const d = new Date(t + offset(t));
  return { y: d.getUTCFullYear(), mo: d.getUTCMonth(), d: d.getUTCDate() };
}

/** The instant whose wall-clock time in the zone is the given one (refined once for DST). */
function toInstant(offset: Offset, y: number, mo: number, d: number, h: number, mi: number): number {
  const asUtc = Date.UTC(y, mo, d, h, mi);
  const guess = asUtc - offset(asUtc);
  return asUtc - offset(guess);
}
