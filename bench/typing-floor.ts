import { execa } from "execa";
import type { Agents } from "../test/support/agents.ts";
import { waitFor } from "../test/support/wait.ts";

/**
 * The floor of push → ping: what submitting a ping costs with nothing else in the way — the text
 * typed (one tmux invocation), then Enter, the 25 ms the TUI gets to take it and the look that
 * confirms it (one more). Measured on its own fake agent, in the same run and under the same load
 * as the bot's figures, so the ratio says what the bot adds. Plain argv, no shell.
 */
export async function typingFloor(agents: Agents, session: string, text: string): Promise<number> {
  const t = `=${session}:`;
  const before = agents.received(session).length;
  const t0 = performance.now();
  await execa("tmux", ["-L", agents.socket, "send-keys", "-t", t, "-l", "--", text]);
  await execa("tmux", ["-L", agents.socket, "send-keys", "-t", t, "Enter", ";", "run-shell", "-d", "0.025", ";", "capture-pane", "-p", "-t", t]);
  const ms = performance.now() - t0;
  await waitFor(() => agents.received(session).length > before, `the floor's text to reach ${session}`);
  return ms;
}
