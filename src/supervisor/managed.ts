import type { Config } from "../config/schema.ts";
import { kickoff, type Phases } from "../loops/phases.ts";
import type { ManagedSession } from "./supervisor.ts";

/** The sessions the supervisor looks after, from the configuration (docs/design.md#supervisor). */
export function managedSessions(config: Config, phases: Pick<Phases, "state">): ManagedSession[] {
  const out: ManagedSession[] = [];
  for (const loop of config.loops) {
    for (const s of Object.values(loop.sessions)) {
      out.push({
        kind: "loop",
        spec: { tmux: s.session, cwd: s.cwd, start: s.start, promptVia: s.promptVia },
        kickoff: async () => {
          const st = await phases.state(loop);
          const phase = loop.phases[st.index];
          return phase ? kickoff(loop, phase, s.prompt) : s.prompt;
        },
        enabled: async () => loop.phases.length === 0 || !(await phases.state(loop)).complete,
      });
    }
  }
  const o = config.supervisor.orchestrator;
  if (o) out.push({ kind: "orchestrator", spec: { tmux: o.session, cwd: o.cwd, start: o.start, promptVia: "typed" }, kickoff: async () => undefined, aliveProbe: o.aliveProbe });
  for (const j of config.supervisor.schedules) {
    out.push({
      kind: "scheduled",
      spec: { tmux: j.session, cwd: j.cwd, start: j.start, promptVia: "typed" },
      kickoff: async () => j.prompt,
      cron: j.cron,
      mode: j.mode,
    });
  }
  return out;
}
