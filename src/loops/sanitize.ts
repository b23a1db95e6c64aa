/** The default limit-banner patterns (docs/design.md#supervisor); the supervisor reads them from config. */
export const DEFAULT_LIMIT_PATTERNS: readonly RegExp[] = [/usage limit|spend limit|limit reached|reached your .*limit|out of (credits|tokens)/i];

export const MAX_PING_LENGTH = 600;

/**
 * One line of plain printable text, safe to type into an agent's terminal: escape sequences
 * and control characters removed, newlines and tabs folded into spaces, length capped
 * (docs/design.md#messenger). Commit subjects are written by other people; nothing in them may act as a key.
 * The result never matches a limit-banner pattern, or the supervisor would read our own ping
 * as the agent hitting its limit.
 */
export function sanitizePing(raw: string, max = MAX_PING_LENGTH, limitPatterns: readonly RegExp[] = DEFAULT_LIMIT_PATTERNS): string {
  let text = raw
    // CSI, OSC (to BEL or ST), and other two-character escape sequences.
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, "")
    .replace(/\x1b\][^\x07\x1b]*(\x07|\x1b\\)?/g, "")
    .replace(/\x1b[@-_]/g, "")
    .replace(/[\r\n\t\v\f]+/g, " ")
    // Remaining C0 controls, DEL, C1 controls, and Unicode line/paragraph separators.
    .replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, "")
    .replace(/ {2,}/g, " ")
    .trim();
  if (text.length > max) text = `${text.slice(0, max - 1).trimEnd()}…`;
  return defuse(text, limitPatterns);
}

/** Joins the words of any limit-pattern match with hyphens until nothing matches. */
function defuse(text: string, patterns: readonly RegExp[]): string {
  const once = patterns.map((p) => new RegExp(p.source, p.flags.replace("g", "")));
  for (let round = 0; round < 50; round++) {
    const re = once.find((p) => p.test(text));
    if (!re) return text;
    text = text.replace(re, (m) => (/\s/.test(m) ? m.replace(/\s+/g, "-") : `${m[0]}-${m.slice(1)}`));
  }
  // A pattern that keeps matching whatever we do: drop what it matches.
  for (const re of once) text = text.replace(new RegExp(re.source, `${re.flags}g`), "");
  return text;
}
