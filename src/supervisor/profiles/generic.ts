import { readPane, resetTime, waitingUntil } from "../pane.ts";
import { DEFAULT_LIMIT_PATTERNS } from "../../loops/sanitize.ts";
import { screenLines, type Profile, type ProfilePatterns } from "./profile.ts";

/** Today's configurable patterns (docs/design.md#supervisor): the defaults of `supervisor.patterns`. */
export const GENERIC_PATTERNS: ProfilePatterns = {
  fatal: [/redacted_thinking/i, /blocks cannot be modified/i],
  limit: DEFAULT_LIMIT_PATTERNS,
  busy: [/esc to interrupt/i],
  alert: [/Invalid API key/i],
};

/**
 * Any TUI whose input line is the last non-empty line (or the line `inputLine` matches): the
 * bottom of the screen is read with the configured patterns, as `readPane` always did.
 */
export function genericProfile(patterns: ProfilePatterns = GENERIC_PATTERNS): Profile {
  return {
    name: "generic",
    patterns,
    read: (screen, now) => {
      const r = readPane(screen, patterns);
      const lines = screenLines(screen).filter((l) => l.trim() !== "");
      const input = patterns.inputLine ? [...lines].reverse().find((l) => patterns.inputLine!.test(l)) : lines.at(-1);
      const recent = lines.slice(-15);
      const hit = (res: readonly RegExp[]) => recent.findLast((l) => res.some((re) => re.test(l)))?.trim() ?? null;
      return {
        box: input === undefined ? null : input.replace(/^\s*[>❯$%#]\s?/, "").trim(),
        menu: false,
        busy: r.busy,
        footer: null,
        lastPrompt: null,
        lastReply: r.lastMessage,
        waitingUntil: waitingUntil(r.lastMessage),
        limit: r.limitBanner ? { line: r.limitBanner.trim(), resetAt: resetTime(r.limitBanner, now) } : null,
        fatal: r.fatal ? hit(patterns.fatal) : null,
        alert: hit(patterns.alert),
      };
    },
    // The input line may carry a prompt or decorations: the text is still there when the line
    // still ends with (the end of) what was typed.
    stillTyped: (r, text) => {
      const tail = text.slice(-Math.min(24, text.length)).trim();
      return r.box !== null && tail !== "" && r.box.includes(tail);
    },
    closeMenu: ["Escape"],
    clearBox: null,
  };
}
