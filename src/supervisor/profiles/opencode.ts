import { screenLines, waitingUntilIn, type Profile, type ProfilePatterns, type ScreenReading } from "./profile.ts";

/**
 * opencode's TUI (1.18.x) as it draws itself (packages/opencode/src/cli/cmd/tui/component/
 * prompt/index.tsx, and the captures in test/fixtures/opencode-1.18.33):
 *
 *   ┃  <user prompt>                 transcript: prompts and errors are blocks with a left border,
 *        <reply text>                replies are indented text, a turn ends `▣  Build · <model> · 9.1s`
 *        ▣  Build · Fake model · 9.1s
 *   ┃                                the input box: a left-bordered block ending in the agent/model
 *   ┃  <typed text, or the placeholder `Ask anything… "…"`>
 *   ┃  Build · Fake model …
 *   ╹▀▀▀▀▀▀▀▀▀▀                       its bottom edge
 *    ⬝■■⬝  esc interrupt             footer: a spinner and `esc interrupt` while a turn runs;
 *                                     `<message> [retrying in 4m 59s attempt #1]` while it waits out
 *                                     a provider error (it follows retry-after by itself)
 *
 * Prompts and error blocks look alike without colours, so an error is fatal only when it is the
 * newest block with no reply after it, and a prompt that merely quotes an error could be read as
 * one. A session's state is better read from its server (the opencode-server backend).
 */
export const OPENCODE_PATTERNS: ProfilePatterns = {
  fatal: [/redacted_thinking/i, /blocks cannot be modified/i],
  // The footer only: opencode shows the retry status there.
  limit: [/\[retrying (in [^\]]*)?attempt #\d+\]/i],
  busy: [/\besc (again to )?interrupt\b/i],
  alert: [/invalid (x-)?api[ -]key/i, /\b401\b.*unauthori[sz]ed/i],
};

const EDGE = /^\s*╹▀{4,}/;
const BAR_MARK = "┃";
const TURN_END = /^\s*▣\s/;
const PLACEHOLDER = /^(Ask anything|Run a command)(…|\.\.\.)/;

export function opencodeProfile(patterns: ProfilePatterns = OPENCODE_PATTERNS): Profile {
  return {
    name: "opencode",
    patterns,
    read: (screen, now) => readOpencode(screen, now, patterns),
    // An empty box after Enter means the prompt went; a blank screen (opencode redraws whole
    // frames) says nothing yet, so it counts as still typed and is looked at again.
    stillTyped: (r) => r.box !== "",
    closeMenu: ["Escape"],
    // input_clear is ctrl+c, which exits opencode when the box is empty (app_exit): it is only
    // pressed when the box was just read as holding text.
    clearBox: ["C-c"],
    // opencode takes seconds to take in a long text on a loaded machine; Enter on an empty box does nothing.
    enterBackoffMs: [100, 200, 400, 800, 1600, 3200, 6400],
  };
}

export function readOpencode(screen: string, now: number, p: ProfilePatterns): ScreenReading {
  const raw = screenLines(screen);
  const edge = findLastIndex(raw, (l) => EDGE.test(l));
  const none: ScreenReading = { box: null, menu: false, busy: false, footer: null, lastPrompt: null, lastReply: null, waitingUntil: null, limit: null, fatal: null, alert: null };
  if (edge < 0) return none;
  // Bordered blocks share the box's column; a sidebar (wide panes) and toasts sit far to the
  // right of the transcript and are cut off.
  const col = raw[edge]!.indexOf("╹");
  const lines = raw.map((l, i) => (i > edge ? l : column(l, col)));
  let top = edge;
  while (top > 0 && lines[top - 1]!.startsWith(BAR_MARK)) top--;
  const inside = lines.slice(top, edge).map((l) => l.slice(1).trim());
  const typed = inside.slice(0, -1).filter(Boolean).join(" ");
  const footer = lines.slice(edge + 1).map((l) => l.trim()).filter(Boolean).join(" ") || null;

  const blocks = parseBlocks(lines.slice(0, top));
  const newest = blocks.at(-1);
  const lastBar = findLastIndex(blocks, (b) => b.kind === "bar");
  const reply = newest?.kind === "text" && lastBar >= 0 ? newest.lines.join("\n") : null;
  const barText = newest?.kind === "bar" ? newest.lines.join(" ") : "";
  const retry = footer !== null && p.limit.some((re) => re.test(footer)) ? footer : null;
  return {
    box: PLACEHOLDER.test(typed) ? "" : typed,
    menu: false,
    busy: footer !== null && p.busy.some((re) => re.test(footer)),
    footer,
    lastPrompt: null,
    lastReply: reply,
    waitingUntil: waitingUntilIn(reply),
    limit: retry ? { line: retry, resetAt: retryAt(retry, now) } : null,
    fatal: barText && p.fatal.some((re) => re.test(barText)) ? barText : null,
    alert: barText && p.alert.some((re) => re.test(barText)) ? barText : null,
  };
}

interface Block {
  kind: "bar" | "text";
  lines: string[];
}

/** Left-bordered blocks (prompts, errors) and reply text; turn-end lines and blanks separate them. */
function parseBlocks(lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  let open = false;
  for (const line of lines) {
    const last = blocks.at(-1);
    if (TURN_END.test(line) || line.trim() === "") {
      // A blank line ends a bordered block; reply text runs on across blank lines until `▣`.
      if (TURN_END.test(line) || last?.kind === "bar") open = false;
      continue;
    }
    const kind = line.startsWith(BAR_MARK) ? "bar" : "text";
    const text = (kind === "bar" ? line.slice(1) : line).trim();
    if (!open || last?.kind !== kind) blocks.push({ kind, lines: [] });
    open = true;
    if (text !== "") blocks.at(-1)!.lines.push(text);
  }
  return blocks.filter((b) => b.lines.length > 0);
}

/** `[retrying in 1h 4m 59s attempt #2]` → now + that long; null without a duration. */
function retryAt(footer: string, now: number): number | null {
  const m = /\[retrying in ([^\]]*?)\s*attempt #/i.exec(footer);
  if (!m) return null;
  let ms = 0;
  for (const [, n, unit] of m[1]!.matchAll(/(\d+)\s*([dhms])/g)) ms += Number(n) * { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[unit as "d" | "h" | "m" | "s"];
  return ms > 0 ? now + ms : null;
}

/** A line as seen from the box's column: `┃…` for a bordered line, else its text; far-right text dropped. */
function column(line: string, col: number): string {
  const cut = (s: string) => s.replace(/(\S)\s{20,}\S.*$/, "$1");
  if (line[col] === BAR_MARK) return BAR_MARK + cut(line.slice(col + 1));
  const start = line.search(/\S/);
  return start < 0 || start >= col + 40 ? "" : cut(line);
}

function findLastIndex<T>(xs: readonly T[], pred: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (pred(xs[i]!)) return i;
  return -1;
}
