import type { Config } from "../config/schema.ts";
import type { GiteaPort } from "../gitea/port.ts";
import type { Phases } from "../loops/phases.ts";
import type { JobService } from "../jobs/service.ts";
import type { Logger } from "../log.ts";
import type { RunService } from "../runs/service.ts";
import type { Store } from "../store/index.ts";
import type { Pings } from "../loops/pings.ts";
import type { Supervisor } from "../supervisor/supervisor.ts";
import type { SweepService } from "../runs/sweeps.ts";
import type { CommentEvent } from "../webhooks/events.ts";

/** Who may use a command: anyone; maintainers (may `!testme`); operators (`operators:`). */
export type Tier = "anyone" | "maintainer" | "operator";
export const TIER_RANK: Record<Tier, number> = { anyone: 0, maintainer: 1, operator: 2 };

export interface CommandDeps {
  config: Config;
  gitea: Pick<GiteaPort, "pullRequest">;
  runs: Pick<RunService, "request" | "cancel">;
  store: Pick<Store, "runs" | "pings" | "jobs">;
  jobs: JobService;
  pings: Pick<Pings, "send">;
  phases: Pick<Phases, "state" | "advance" | "hold" | "isHeld">;
  supervisor: Pick<Supervisor, "names" | "setPaused" | "restartSession">;
  runUrl: (id: number) => string;
  jobUrl: (id: number) => string;
  sweeps: Pick<SweepService, "start">;
  sweepUrl: (id: number) => string;
  clock: { now(): number };
}

export interface CommandContext {
  event: CommentEvent;
  /** The words after the command name. */
  args: string[];
  /** Everything after the command name, as written (for free text such as /ping's). */
  rest: string;
  /** The commenter's tier, already checked against the command's. */
  tier: Tier;
  reply(body: string): Promise<void>;
  deps: CommandDeps;
  log: Logger;
}

/** One slash-command: its help beside its code, so /help is generated and never stale. */
export interface CommandDef {
  name: string;
  usage: string;
  description: string;
  tier: Tier;
  examples: string[];
  run(ctx: CommandContext): Promise<void>;
}
