import { describe } from "vitest";
import { claudeScreen } from "../support/claude-screens.ts";
import { claudeSupervisionChecks } from "../support/claude-supervision.ts";

describe("supervisor on Claude Code's real screen (injected clock)", () => {
  claudeSupervisionChecks(claudeScreen);
});
