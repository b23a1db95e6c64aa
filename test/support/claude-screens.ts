import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { profileFor } from "../../src/supervisor/profiles/index.ts";
import type { TmuxAgent } from "../../src/supervisor/tmux-sessions.ts";
import type { Agents } from "./agents.ts";

/**
 * The real Claude Code 2.1.197 panes: ../shared/fixtures beside the repository. From a git
 * worktree elsewhere, beside the main checkout it belongs to (`.git` there is a file naming
 * `<main>/.git/worktrees/<name>`).
 */
export const CLAUDE_FIXTURES = findFixtures(fileURLToPath(new URL("../..", import.meta.url)));

function findFixtures(root: string): string {
  const beside = (checkout: string) => resolve(checkout, "../shared/fixtures/claude-code-2.1.197");
  if (existsSync(beside(root))) return beside(root);
  const gitFile = resolve(root, ".git");
  const m = existsSync(gitFile) ? /^gitdir:\s*(.+)$/m.exec(readFileSync(gitFile, "utf8").toString()) : null;
  return m ? beside(dirname(dirname(dirname(resolve(root, m[1]!.trim()))))) : beside(root);
}
const REPLAY = fileURLToPath(new URL("./claude-screen.mjs", import.meta.url));

/** A tmux session showing a real Claude Code screen that reacts to keys (see claude-screen.mjs). */
export function claudeScreen(agents: Agents, session: string, fixture: string, ...flags: string[]): TmuxAgent {
  const start = [process.execPath, REPLAY, agents.logOf(session), resolve(CLAUDE_FIXTURES, fixture), ...flags];
  return { tmux: session, start, promptVia: "typed", profile: profileFor(undefined, ["claude", ...start]) };
}

/** Text typed while a menu was open (lost). */
export function lostText(agents: Agents, session: string): string {
  const f = `${agents.logOf(session)}.lost`;
  return existsSync(f) ? readFileSync(f, "utf8") : "";
}

/** Starts the screen and waits until it is drawn. */
export async function showClaude(agents: Agents, a: TmuxAgent): Promise<void> {
  await agents.tmux.newSession(a.tmux, { argv: a.start });
  const deadline = Date.now() + 10_000;
  while (!/\?|esc to|Esc to cancel|─{8}/.test((await agents.tmux.captureIfPresent(a.tmux)) ?? "")) {
    if (Date.now() > deadline) throw new Error(`${a.tmux} never drew its screen`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
