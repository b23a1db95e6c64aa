import type { BotDeps } from "../bot-deps.ts";
import type { Handler } from "./handler.ts";
import { HandoffRelay } from "../loops/relay.ts";
import { createHandoffHandler } from "./handoff.ts";
import { createTestmeHandler } from "./testme.ts";
import { createPrSyncHandler } from "./pr-sync.ts";
import { makeTestmeEnrolment } from "../config/enrolment.ts";
import { createCommandHandler } from "./commands.ts";

/**
 * The explicit list of behaviours: each entry is one file under
 * src/handlers, wired here with only the ports it uses.
 */
export function createHandlers(d: BotDeps): Handler[] {
  const isTestmeRepo = makeTestmeEnrolment(d.config);
  return [
    createTestmeHandler({ config: d.config, isTestmeRepo, gitea: d.gitea, outbox: d.outbox, runs: d.runs, runStore: d.store.runs, runUrl: d.runUrl, clock: d.clock }),
    createPrSyncHandler({ config: d.config, runs: d.runs, isTestmeRepo }),
    createCommandHandler({
      deps: {
        config: d.config,
        gitea: d.gitea,
        runs: d.runs,
        store: d.store,
        jobs: d.jobs,
        pings: d.pings,
        phases: d.phases,
        supervisor: d.supervisor,
        runUrl: d.runUrl,
        jobUrl: d.jobUrl,
        sweeps: d.sweeps,
        sweepUrl: d.sweepUrl,
        clock: d.clock,
      },
      gitea: d.gitea,
      outbox: d.outbox,
      clock: d.clock,
      rate: { count: d.config.commands.rateLimit.count, windowMs: d.config.commands.rateLimit.windowSeconds * 1000 },
    }),
    createHandoffHandler(
      new HandoffRelay({
        loops: d.config.loops,
        mirrors: d.mirrors,
        store: d.store,
        pings: d.pings,
        phases: d.phases,
        clock: d.clock,
        log: d.log,
        metrics: d.metrics,
        orchestratorSession: d.config.supervisor.orchestrator?.session ?? null,
      }),
    ),
  ];
}
