import type { Config } from "../config/schema.ts";
import { profileFor, type PatternOverrides, type ProfileName } from "./profiles/index.ts";
import type { TmuxAgent } from "./tmux-sessions.ts";

/**
 * Every configured tmux session with its profile: loop roles, the orchestrator, scheduled jobs.
 * Without `profile:` the start command's argv is a first guess until the screen tells.
 */
export function tmuxAgents(config: Config, overrides: PatternOverrides): Map<string, TmuxAgent> {
  const out = new Map<string, TmuxAgent>();
  const add = (s: { session: string; cwd?: string | undefined; start: string[]; profile?: ProfileName | undefined }, promptVia: "argument" | "typed") =>
    out.set(s.session, { tmux: s.session, cwd: s.cwd, start: s.start, promptVia, profile: profileFor(s.profile, s.start, overrides), profileSet: s.profile !== undefined });
  // Sessions on an opencode server are not tmux sessions.
  for (const loop of config.loops) for (const s of Object.values(loop.sessions)) if (s.backend === "tmux") add(s, s.promptVia);
  if (config.supervisor.orchestrator) add(config.supervisor.orchestrator, "typed");
  for (const j of config.supervisor.schedules) if (j.backend === "tmux") add(j, "typed");
  return out;
}
