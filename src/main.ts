import { systemClock } from "./clock.ts";
import { makeEnrolment } from "./config/enrolment.ts";
import { createLogger } from "./log.ts";
import { createMetrics } from "./metrics.ts";
import { makeRedactor } from "./redact.ts";
import { redisSecrets } from "./config/redis-url.ts";
import { configuredPools, makePoolOf } from "./runs/pools.ts";
import { openStore } from "./store/index.ts";
import { GiteaClient } from "./gitea/client.ts";
import { GiteaOutbox } from "./gitea/outbox.ts";
import { warnIfOrgsHidden } from "./gitea/org-visibility.ts";
import { BotLogin } from "./gitea/bot-login.ts";
import { Dispatcher } from "./dispatch/dispatcher.ts";
import { createHandlers } from "./handlers/registry.ts";
import { Phases } from "./loops/phases.ts";
import { Pings } from "./loops/pings.ts";
import { CatchUp } from "./dispatch/catch-up.ts";
import { createIntake } from "./webhooks/intake.ts";
import { IntakeSummary } from "./webhooks/intake-summary.ts";
import { ParsePool } from "./webhooks/parse-pool.ts";
import type { IntakePolicy } from "./webhooks/ignore.ts";
import { createWebApp } from "./web/app.ts";
import { listen } from "./web/server.ts";
import { Mirrors } from "./git/mirrors.ts";
import { opencodePasswords } from "./supervisor/opencode/from-config.ts";
import { wireAgents } from "./supervisor/wiring.ts";
import { operatorAlerts } from "./supervisor/operator-alert.ts";
import { Supervisor } from "./supervisor/supervisor.ts";
import { managedSessions } from "./supervisor/managed.ts";
import { join } from "node:path";
import { execa } from "execa";
import { wireRuns } from "./runs/wiring.ts";
import { JobService } from "./jobs/service.ts";
import { Pruner } from "./store/pruner.ts";
import { Lifecycle, type Part } from "./util/lifecycle.ts";
import type { Bot, BotDeps, BotOptions } from "./bot-deps.ts";

export type { Bot, BotDeps, BotOptions } from "./bot-deps.ts";

/** Retention is by days: an hourly pass keeps the store within an hour of store.retentionDays. */
const PRUNE_EVERY_MS = 3_600_000;

/**
 * The composition root: reads nothing itself, builds every dependency once, wires ports into
 * handlers, and starts the server and the background workers.
 */
export async function startBot(options: BotOptions): Promise<Bot> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const secrets = [config.gitea.token, ...config.webhook.secrets, config.server.operatorToken, ...opencodePasswords(config, process.env), ...redisSecrets(config.testme.runner.redis)];
  const redact = makeRedactor(secrets);
  const log = createLogger(config.logLevel, redact, options.logDestination);
  const metrics = createMetrics();
  let unwatchEventLoop = () => {};
  const store = openStore(config.dataDir, { synchronous: config.store.synchronous });
  const gitea = options.gitea ?? new GiteaClient({ url: config.gitea.url, token: config.gitea.token, metrics, redact, timeoutMs: config.gitea.timeoutSeconds * 1000 });

  // Once the login is known, what waited for it goes on (called from botLogin.start() below,
  // when the dispatcher exists).
  const botLogin = new BotLogin({
    configured: config.gitea.botUser,
    gitea,
    log,
    onResolved: (login) => {
      outbox.wake();
      dispatcher.wake();
      void warnIfOrgsHidden(gitea, config.testme.trust.orgs, login, log);
    },
  });
  const botUser = botLogin.get;
  const outbox = new GiteaOutbox({
    store: store.outbox,
    gitea,
    botUser,
    clock,
    log: log.child({ component: "outbox" }),
    metrics,
    backoffMs: config.outbox.backoffMs,
    maxBackoffMs: config.outbox.maxBackoffMs,
    concurrency: config.outbox.concurrency,
  });
  const { tmux, agents, messenger, sessions, patterns, reachable } = await wireAgents(config, { secrets, store, clock, log, metrics, env: process.env });
  const mirrors = new Mirrors(config.dataDir, config.gitea.url, config.gitea.token);
  const pings = new Pings({ store: store.pings, clock, limitPatterns: patterns.limit, wake: () => messenger.wake() });
  const phases = new Phases({ store, sessions, clock, log: log.child({ component: "phases" }) });
  // Links in statuses and comments; until the server listens, the configured public URL.
  let publicBase = config.server.publicUrl?.replace(/\/+$/, "") ?? `http://127.0.0.1:${config.server.port}`;
  const runUrl = (id: number) => `${publicBase}/runs/${id}`;
  const jobUrl = (id: number) => `${publicBase}/jobs/${id}`;
  const sweepUrl = (id: number) => `${publicBase}/sweeps/${id}`;
  const supervisor = new Supervisor({
    sessions: managedSessions(config, phases),
    agents,
    afterStart: () => messenger.wake(),
    alert: operatorAlerts({
      store,
      metrics,
      clock,
      log: log.child({ component: "supervisor" }),
      orchestratorSession: config.supervisor.orchestrator?.session ?? null,
      pings,
    }),
    store: store.supervisor,
    clock,
    log: log.child({ component: "supervisor" }),
    metrics,
    stallGraceMs: config.supervisor.stallGraceSeconds * 1000,
    stallIdleMs: config.supervisor.stallIdleSeconds * 1000,
    probe: async (argv) => (await execa(argv[0]!, argv.slice(1), { reject: false, timeout: 10_000 })).exitCode === 0,
  });
  const jobs = new JobService({
    store: store.jobs,
    dir: join(config.dataDir, "jobs"),
    clock,
    log: log.child({ component: "jobs" }),
    redact,
    timeoutMs: Math.max(...Object.values(config.jobs).map((j) => j.timeoutMinutes), 1) * 60_000,
  });
  await jobs.recover();
  const { runner, runs, sweeps, sweepSchedule } = wireRuns(config, { store, outbox, gitea, clock, log, metrics, redact, runUrl, sweepUrl });
  const deps: BotDeps = { config, clock, log, metrics, store, gitea, outbox, redact, botUser, tmux, agents, messenger, pings, sessions, mirrors, phases, runs, runner, supervisor, jobs, sweeps, runUrl, jobUrl, sweepUrl, patterns };
  const handlers = (options.handlers ?? createHandlers)(deps);

  const isEnrolled = makeEnrolment(config);
  const policy: IntakePolicy = { isEnrolled, botUser };
  const dispatcher = new Dispatcher({
    store: store.deliveries,
    handlers,
    policy,
    clock,
    log: log.child({ component: "dispatcher" }),
    metrics,
    redact,
    maxAttempts: config.dispatcher.maxAttempts,
    backoffMs: config.dispatcher.backoffMs,
    giteaWaitMaxMs: config.outbox.maxBackoffMs,
    concurrency: config.dispatcher.concurrency,
  });

  if (config.webhook.secrets.length === 0) {
    log.error("no webhook secret configured: every delivery will be refused. Set WEBHOOK_SECRET (or webhook.secrets) to the secret of the Gitea webhook.");
  }
  const parser = new ParsePool({ inlineBytes: 64 * 1024, maxQueuedBytes: 4 * config.webhook.maxBodyBytes, maxHeapMb: 512, idleMs: 10_000, log: log.child({ component: "intake" }) });
  const intakeLog = log.child({ component: "intake" });
  const intakeSummary = new IntakeSummary(clock, intakeLog);
  const intake = createIntake({
    store: store.deliveries,
    secrets: () => config.webhook.secrets,
    maxBodyBytes: config.webhook.maxBodyBytes,
    parser,
    policy,
    clock,
    log: intakeLog,
    metrics,
    summary: intakeSummary,
    dispatch: dispatcher,
  });
  let ready = false;
  const app = createWebApp({ store, metrics, ready: () => ready, log, loops: config.loops, phases, runner, runPools: { waitingForPool: () => runs.waitingForPool(), pools: configuredPools(config), poolOf: makePoolOf(config) }, redact, supervisor, operatorToken: config.server.operatorToken, jobs, giteaUrl: config.gitea.url, sweeps });
  const limits = { requestTimeoutMs: config.server.requestTimeoutSeconds * 1000, maxConnections: config.server.maxConnections };
  const catchUp = new CatchUp({ config, mirrors, gitea, store, clock, log, onQueued: () => dispatcher.wake() });
  const pruner = new Pruner({
    store: store.retention,
    runsDir: join(config.dataDir, "runs"),
    jobsDir: join(config.dataDir, "jobs"),
    retentionDays: config.store.retentionDays,
    clock,
    log: log.child({ component: "retention" }),
  });
  let listening: Awaited<ReturnType<typeof listen>> | null = null;
  let resuming: Promise<void> = Promise.resolve();
  const processing = options.dispatch !== false;
  const supervising = options.supervise !== false;

  // Every long-lived part, in the order it starts; stop() goes through it backwards. The server
  // listens early (links need its port) but only reports ready once the workers behind it run;
  // at stop it goes on taking deliveries into the store until the workers are gone.
  const lifecycle = new Lifecycle((part, err) => log.error({ err, part }, "could not stop cleanly"));
  const parts: Part[] = [
    { name: "event-loop watch", start: () => void (unwatchEventLoop = metrics.watchEventLoop()), stop: () => unwatchEventLoop() },
    { name: "store", stop: () => store.close() },
    // The mirrors' long-running git readers.
    { name: "mirrors", stop: () => mirrors.close() },
    { name: "parse pool", stop: () => parser.stop() },
    // The runner backend's connections (Redis for bullmq); run pages read logs through it.
    { name: "runner", stop: () => runner.close() },
    // The last minute's count of answered deliveries, written once nothing more arrives.
    { name: "intake summary", stop: () => intakeSummary.flush() },
    {
      name: "http server",
      start: async () => {
        listening = await listen({ host: config.server.host, port: config.server.port, limits, intake, app, log, metrics });
        if (!config.server.publicUrl) publicBase = `http://127.0.0.1:${listening.port}`;
      },
      stop: async () => {
        const server = listening!.server;
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeIdleConnections();
        await closed;
      },
    },
    { name: "bot login", start: () => botLogin.start(), stop: () => botLogin.stop() },
    { name: "outbox", start: () => outbox.start(), stop: () => outbox.stop() },
    { name: "messenger", start: () => messenger.start(), stop: () => messenger.stop() },
    ...(processing
      ? [
          // Runs are left running at stop: the next start adopts them.
          { name: "runs", start: () => runs.start(), stop: () => runs.stop() },
          {
            name: "sweeps resume",
            start: () => void (resuming = sweeps.resume().catch((err: unknown) => log.error({ err }, "could not resume the sweeps being queued"))),
            stop: () => resuming,
          },
          { name: "dispatcher", start: () => dispatcher.start(), stop: () => dispatcher.stop() },
          { name: "catch-up", start: () => catchUp.start(config.supervisor.sweepMinutes * 60_000), stop: () => catchUp.stop() },
          { name: "retention", start: () => pruner.start(PRUNE_EVERY_MS), stop: () => pruner.stop() },
          ...(supervising
            ? [
                ...(reachable ? [{ name: "supervisor", start: () => supervisor.start(config.supervisor.tickSeconds * 1000), stop: () => supervisor.stop() }] : []),
                { name: "sweep schedule", start: () => sweepSchedule.start(config.supervisor.tickSeconds * 1000), stop: () => sweepSchedule.stop() },
              ]
            : []),
        ]
      : []),
    { name: "ready", start: () => void (ready = true), stop: () => void (ready = false) },
  ];
  try {
    await lifecycle.start(parts);
  } catch (err) {
    await lifecycle.stop();
    throw err;
  }
  const { server, port } = listening!;
  const url = `http://127.0.0.1:${port}`;
  log.info({ port, dataDir: config.dataDir, publicUrl: config.server.publicUrl }, "cc-ci-bot listening");
  // Whoever started the bot waits for this line: do not hold it back in the log buffer.
  log.flush();

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      await lifecycle.stop();
      log.info("cc-ci-bot stopped");
    })());

  return { ...deps, server, port, url, dispatcher, catchUp, pruner, sweepSchedule, stop };
}
