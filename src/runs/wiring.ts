import { join } from "node:path";
import type { Clock } from "../clock.ts";
import type { Config } from "../config/schema.ts";
import { makeTestmeEnrolment } from "../config/enrolment.ts";
import type { GiteaPort } from "../gitea/port.ts";
import type { GiteaOutbox } from "../gitea/outbox.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Redactor } from "../redact.ts";
import type { Store } from "../store/index.ts";
import { configuredPools, makePoolOf } from "./pools.ts";
import { BullmqRunner } from "./bullmq-runner.ts";
import { LocalRunner } from "./local-runner.ts";
import type { RunnerPort } from "./runner-port.ts";
import { RunService } from "./service.ts";
import { SweepSchedule } from "./sweep-schedule.ts";
import { SweepService } from "./sweeps.ts";

/**
 * Builds the test side: the runner backend (run dirs under `dataDir/runs`), the run queue, the
 * sweeps over every enrolled recipe and their schedule.
 */
export function wireRuns(
  config: Config,
  d: { store: Store; outbox: GiteaOutbox; gitea: GiteaPort; clock: Clock; log: Logger; metrics: Metrics; redact: Redactor; runUrl: (id: number) => string; sweepUrl: (id: number) => string },
): { runner: RunnerPort; runs: RunService; sweeps: SweepService; sweepSchedule: SweepSchedule } {
  const { store, outbox, clock, metrics, runUrl } = d;
  const settings = config.testme.runner;
  const runsDir = join(config.dataDir, "runs");
  const runner: RunnerPort =
    settings.backend === "bullmq"
      ? new BullmqRunner({ redisUrl: settings.redis!, runsDir, pools: configuredPools(config), lockMs: settings.lockSeconds * 1000, clock, log: d.log.child({ component: "runner" }) })
      : new LocalRunner({ runsDir, command: settings.command, capacity: settings.capacity });
  const runs = new RunService({
    runs: store.runs,
    outbox,
    runner,
    config: {
      statusContext: config.testme.statusContext,
      timeoutMs: settings.timeoutMinutes * 60_000,
      graceMs: settings.graceSeconds * 1000,
      poolOf: makePoolOf(config),
    },
    clock,
    log: d.log.child({ component: "runs" }),
    metrics,
    runUrl,
    redact: d.redact,
  });
  const log = d.log.child({ component: "sweeps" });
  const sweeps = new SweepService({ config, isTestmeRepo: makeTestmeEnrolment(config), gitea: d.gitea, runs, store, outbox, runner, clock, log, metrics, runUrl, sweepUrl: d.sweepUrl });
  const sweepSchedule = new SweepSchedule({ schedules: config.testme.schedules, cursors: store.cursors, clock, log, fire: (req) => sweeps.start(req) });
  return { runner, runs, sweeps, sweepSchedule };
}
