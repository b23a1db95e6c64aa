import { describe, expect, it } from "vitest";
import { dirname } from "node:path";
import { pino } from "pino";
import { systemClock } from "../../src/clock.ts";
import { TmuxSessions } from "../../src/supervisor/tmux-sessions.ts";
import { Agents } from "../support/agents.ts";
import { tempDir } from "../support/bot.ts";
import { claudeScreen, showClaude } from "../support/claude-screens.ts";
import { claudeSupervisionChecks, type ClaudeSpec } from "../support/claude-supervision.ts";
import { configuredAgent, wrapperScript } from "../support/wrapper-script.ts";

/**
 * Claude Code's real screens (replayed) started through a wrapper script, configured with no
 * profile: the argv names only `claude-offline.sh`, so only the screen can tell it is Claude Code.
 */
const wrapped: ClaudeSpec = (agents, session, fixture, ...flags) => {
  const replay = claudeScreen(agents, session, fixture, ...flags).start;
  const wrapper = wrapperScript(dirname(agents.logOf(session)), "claude-offline.sh", [replay[0]!, replay[1]!], { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1" });
  return configuredAgent(session, [wrapper, ...replay.slice(2)]);
};

describe("Claude Code started through a wrapper script, profile read from its screen", () => {
  it("is configured with the generic guess, and read as claude-code once its screen shows", async () => {
    const agents = new Agents(tempDir());
    try {
      const a = wrapped(agents, "cc", "subscription/idle.txt");
      expect(a.profile.name).toBe("generic");
      expect(a.profileSet).toBe(false);
      const backend = new TmuxSessions({ tmux: agents.tmux, agents: new Map([["cc", a]]), clock: systemClock, log: pino({ level: "silent" }) });
      await showClaude(agents, a);
      expect(backend.profileOf("cc", await agents.tmux.capture("cc")).name).toBe("claude-code");
    } finally {
      await agents.close();
    }
  });

  describe("the supervision checks of a claude-code session all hold", () => {
    claudeSupervisionChecks(wrapped);
  });
});
