import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { detectProfile } from "../../src/supervisor/profiles/detect.ts";
import { CLAUDE_FIXTURES } from "../support/claude-screens.ts";

const OPENCODE_FIXTURES = fileURLToPath(new URL("../fixtures/opencode-1.18.33", import.meta.url));
const screens = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".txt")).map((f) => [f, readFileSync(join(dir, f), "utf8")] as const);

// Every real pane captured in every state must name its TUI: a session whose screen is read with
// the wrong profile misses limits and kills healthy agents.
describe("the TUI a screen belongs to", () => {
  it.each([...screens(join(CLAUDE_FIXTURES, "subscription")), ...screens(join(CLAUDE_FIXTURES, "api-key"))])("Claude Code 2.1.197 %s → claude-code", (_f, screen) => {
    expect(detectProfile(screen)).toBe("claude-code");
  });

  it.each(screens(OPENCODE_FIXTURES))("opencode 1.18.33 %s → opencode", (_f, screen) => {
    expect(detectProfile(screen)).toBe("opencode");
  });

  it.each([
    ["a blank screen (a TUI still loading)", "\n\n\n"],
    ["a shell", "user@host:~$ ls\nREADME.md  src\nuser@host:~$ "],
    ["a plain prompt-line agent", "fake agent ready\n> claim(gate-2): ready\nworking... (esc to interrupt)\n> "],
    ["a reply that only talks about Claude Code and opencode", "> which TUI?\nClaude Code draws ❯ in its box; opencode shows ctrl+p\n> "],
  ])("%s decides nothing", (_what, screen) => {
    expect(detectProfile(screen)).toBeNull();
  });
});
