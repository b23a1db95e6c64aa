import type { Clock } from "../clock.ts";
import type { Config } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Store } from "../store/index.ts";
import { withoutSecrets } from "../util/child-env.ts";
import { AgentRouter } from "./agent-router.ts";
import type { AgentSessions } from "./agent-sessions.ts";
import { Messenger } from "./messenger.ts";
import { opencodeAgents } from "./opencode/from-config.ts";
import { GENERIC_PATTERNS } from "./profiles/generic.ts";
import { SessionControl } from "./sessions.ts";
import { Tmux } from "./tmux.ts";
import { tmuxAgents } from "./tmux-agents.ts";
import { TmuxSessions } from "./tmux-sessions.ts";

export interface ScreenPatterns {
  fatal: RegExp[];
  limit: RegExp[];
  busy: RegExp[];
  inputLine: RegExp | undefined;
}

export interface AgentWiring {
  tmux: Tmux;
  /** Every agent session behind one port, whichever backend it runs on. */
  agents: AgentSessions;
  messenger: Messenger;
  sessions: SessionControl;
  /** Compiled from supervisor.patterns, the generic profile's where unset. */
  patterns: ScreenPatterns;
  /** Whether any backend can reach an agent (tmux installed, or an opencode server configured). */
  reachable: boolean;
}

/**
 * Builds the agent side: the tmux backend, the opencode-server backend for sessions configured
 * on one, the messenger that pings them and the control that restarts them.
 */
export async function wireAgents(
  config: Config,
  d: { secrets: ReadonlyArray<string | undefined>; store: Store; clock: Clock; log: Logger; metrics: Metrics; env: NodeJS.ProcessEnv },
): Promise<AgentWiring> {
  const sp = config.supervisor.patterns;
  const compile = (list: string[] | undefined) => list?.map((p) => new RegExp(p, "i"));
  // Pattern lists set in the configuration replace each session profile's own.
  const overrides = { fatal: compile(sp.fatal), limit: compile(sp.limit), busy: compile(sp.busy), inputLine: sp.inputLine ? new RegExp(sp.inputLine) : undefined };
  const patterns: ScreenPatterns = {
    fatal: overrides.fatal ?? [...GENERIC_PATTERNS.fatal],
    limit: overrides.limit ?? [...GENERIC_PATTERNS.limit],
    busy: overrides.busy ?? [...GENERIC_PATTERNS.busy],
    inputLine: overrides.inputLine,
  };
  // Agents never see the bot's secrets in their environment.
  const tmux = new Tmux({ socketName: config.supervisor.tmuxSocket, env: withoutSecrets(d.env, d.secrets) });
  const tmuxAvailable = await tmux.available();
  if (!tmuxAvailable) d.log.warn("tmux is not installed: pings to agent sessions are recorded as undeliverable; everything else runs");
  const log = d.log.child({ component: "sessions" });
  const tmuxSessions = new TmuxSessions({ tmux, agents: tmuxAgents(config, overrides), overrides, clock: d.clock, log });
  // Sessions on an opencode server go to its backend; without tmux they still run.
  const opencode = opencodeAgents(config, d.env, log);
  for (const w of opencode.warnings) d.log.warn(w);
  const noTmux = tmuxAvailable ? undefined : "tmux is not installed on this machine";
  const agents = opencode.sessions.size === 0 ? tmuxSessions : new AgentRouter(tmuxSessions, opencode.sessions, noTmux);
  const reachable = tmuxAvailable || opencode.sessions.size > 0;
  const messenger = new Messenger({
    agents,
    unavailable: reachable ? undefined : noTmux,
    store: d.store.pings,
    clock: d.clock,
    log: d.log.child({ component: "messenger" }),
    metrics: d.metrics,
  });
  const sessions = new SessionControl({ agents, wake: () => messenger.wake(), log });
  return { tmux, agents, messenger, sessions, patterns, reachable };
}
