import type { LoopConfig } from "../config/schema.ts";
import type { CommandDeps } from "./types.ts";

/** The loop a command means: the one of this repo, else the only one, else the one that has `role`. */
export function loopFor(deps: CommandDeps, repo: string, role?: string): LoopConfig | null {
  const loops = deps.config.loops;
  return (
    loops.find((l) => l.repo.toLowerCase() === repo.toLowerCase()) ??
    (loops.length === 1 ? loops[0]! : null) ??
    (role ? (loops.find((l) => role in l.sessions) ?? null) : null)
  );
}
