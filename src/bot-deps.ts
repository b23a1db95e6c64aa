import type { Server } from "node:http";
import type { DestinationStream } from "pino";
import type { Clock } from "./clock.ts";
import type { Config } from "./config/schema.ts";
import type { GiteaPort } from "./gitea/port.ts";
import type { GiteaOutbox } from "./gitea/outbox.ts";
import type { CatchUp } from "./dispatch/catch-up.ts";
import type { Dispatcher } from "./dispatch/dispatcher.ts";
import type { Handler } from "./handlers/handler.ts";
import type { Phases } from "./loops/phases.ts";
import type { Pings } from "./loops/pings.ts";
import type { Mirrors } from "./git/mirrors.ts";
import type { JobService } from "./jobs/service.ts";
import type { Logger } from "./log.ts";
import type { Metrics } from "./metrics.ts";
import type { Redactor } from "./redact.ts";
import type { RunnerPort } from "./runs/runner-port.ts";
import type { RunService } from "./runs/service.ts";
import type { SweepSchedule } from "./runs/sweep-schedule.ts";
import type { SweepService } from "./runs/sweeps.ts";
import type { Store } from "./store/index.ts";
import type { Pruner } from "./store/pruner.ts";
import type { AgentSessions } from "./supervisor/agent-sessions.ts";
import type { Messenger } from "./supervisor/messenger.ts";
import type { SessionControl } from "./supervisor/sessions.ts";
import type { Supervisor } from "./supervisor/supervisor.ts";
import type { Tmux } from "./supervisor/tmux.ts";
import type { ScreenPatterns } from "./supervisor/wiring.ts";

export interface BotOptions {
  config: Config;
  clock?: Clock;
  logDestination?: DestinationStream;
  /** Replaces the handler registry (tests). */
  handlers?: (deps: BotDeps) => Handler[];
  /** false: accept and store deliveries but do not process them (maintenance, tests). */
  dispatch?: boolean;
  /** Overrides the Gitea port (tests). */
  gitea?: GiteaPort;
  /** false: no supervisor timer (tests drive its ticks through an injected clock). */
  supervise?: boolean;
}

/** What handlers may be wired with. */
export interface BotDeps {
  config: Config;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  store: Store;
  gitea: GiteaPort;
  outbox: GiteaOutbox;
  redact: Redactor;
  botUser: () => string | null;
  tmux: Tmux;
  /** Every agent session behind one port, whichever backend it runs on. */
  agents: AgentSessions;
  messenger: Messenger;
  /** The one way a ping is queued (sanitized with the configured patterns, stored, messenger woken). */
  pings: Pings;
  sessions: SessionControl;
  mirrors: Mirrors;
  phases: Phases;
  runs: RunService;
  runner: RunnerPort;
  supervisor: Supervisor;
  jobs: JobService;
  sweeps: SweepService;
  runUrl: (id: number) => string;
  jobUrl: (id: number) => string;
  sweepUrl: (id: number) => string;
  /** Compiled from supervisor.patterns. */
  patterns: ScreenPatterns;
}

export interface Bot extends BotDeps {
  server: Server;
  port: number;
  url: string;
  dispatcher: Dispatcher;
  catchUp: CatchUp;
  pruner: Pruner;
  sweepSchedule: SweepSchedule;
  stop(): Promise<void>;
}

