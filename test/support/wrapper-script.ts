import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load.ts";
import type { ProfileName } from "../../src/supervisor/profiles/index.ts";
import { tmuxAgents } from "../../src/supervisor/tmux-agents.ts";
import type { TmuxAgent } from "../../src/supervisor/tmux-sessions.ts";

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A start script as operators write them (`/usr/local/bin/claude-offline.sh`): sets the
 * environment, then execs the real program with the session's arguments. Its name says nothing
 * about the program it runs.
 */
export function wrapperScript(dir: string, name: string, argv: readonly string[], env: Record<string, string> = {}, o: { cleanEnv?: boolean } = {}): string {
  const path = join(dir, name);
  // cleanEnv: the program sees `env` only (no credentials of the test's own environment).
  const vars = Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`);
  const exec = o.cleanEnv ? `exec env -i ${vars.join(" ")} ` : `${vars.map((v) => `export ${v}\n`).join("")}exec `;
  writeFileSync(path, `#!/bin/sh\n${exec}${argv.map(quote).join(" ")} "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

/** The tmux agent the bot builds from a loop session configured with `start` (and `profile:` only when given). */
export function configuredAgent(session: string, start: string[], profile?: ProfileName, cwd?: string): TmuxAgent {
  const config = parseConfig({
    gitea: { url: "https://git.example.org", token: "t" },
    loops: [{ name: "l", repo: "o/l", sessions: { builder: { session, start, ...(profile ? { profile } : {}), ...(cwd ? { cwd } : {}) } } }],
  });
  return tmuxAgents(config, {}).get(session)!;
}
