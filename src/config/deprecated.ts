/**
 * Keys the configuration still reads under an old name. `tmux:` named a session when every
 * session was a tmux session; sessions on an opencode server have a name too, so it is now
 * `session:`. The old key keeps working; the operator is told once, in one line, where it is.
 */
export function deprecationWarnings(raw: unknown): string[] {
  const at: string[] = [];
  const root = record(raw);
  const loops = Array.isArray(root?.loops) ? root.loops : [];
  loops.forEach((loop, i) => {
    for (const [role, s] of Object.entries(record(record(loop)?.sessions) ?? {})) if (record(s)?.tmux !== undefined) at.push(`loops.${i}.sessions.${role}`);
  });
  const supervisor = record(root?.supervisor);
  if (record(supervisor?.orchestrator)?.tmux !== undefined) at.push("supervisor.orchestrator");
  const schedules = Array.isArray(supervisor?.schedules) ? supervisor.schedules : [];
  schedules.forEach((j, i) => record(j)?.tmux !== undefined && at.push(`supervisor.schedules.${i}`));
  return at.length === 0 ? [] : [`tmux: is deprecated, name the session with session: instead (at ${at.join(", ")})`];
}

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
