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
import { Dispatcher } from "./handlers/dispatcher.ts";
import { createHandlers } from "./handlers/registry.ts";
import { Phases } from "./handlers/phases.ts";
import { CatchUp } from "./handlers/catch-up.ts";
import { createIntake } from "./webhooks/intake.ts";
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
  const unwatchEventLoop = metrics.watchEventLoop();
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
      orchestratorSession: config.supervisor.orchestrator?.tmux ?? null,
      wake: () => messenger.wake(),
      limitPatterns: patterns.limit,
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
  const deps: BotDeps = { config, clock, log, metrics, store, gitea, outbox, redact, botUser, tmux, agents, messenger, sessions, mirrors, phases, runs, runner, supervisor, jobs, sweeps, runUrl, jobUrl, sweepUrl, patterns };
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
  const intake = createIntake({
    store: store.deliveries,
    secrets: () => config.webhook.secrets,
    maxBodyBytes: config.webhook.maxBodyBytes,
    parser,
    policy,
    clock,
    log: log.child({ component: "intake" }),
    metrics,
    dispatch: dispatcher,
  });
  let ready = false;
  const app = createWebApp({ store, metrics, ready: () => ready, log, loops: config.loops, phases, runner, runPools: { waitingForPool: () => runs.waitingForPool(), pools: configuredPools(config), poolOf: makePoolOf(config) }, redact, supervisor, operatorToken: config.server.operatorToken, jobs, giteaUrl: config.gitea.url, sweeps });
  const limits = { requestTimeoutMs: config.server.requestTimeoutSeconds * 1000, maxConnections: config.server.maxConnections };
  const { server, port } = await listen({ host: config.server.host, port: config.server.port, limits, intake, app, log, metrics });
  const url = `http://127.0.0.1:${port}`;
  if (!config.server.publicUrl) publicBase = url;

  botLogin.start();

  const catchUp = new CatchUp({ config, mirrors, gitea, store, clock, log, onQueued: () => dispatcher.wake() });
  const pruner = new Pruner({
    store: store.retention,
    runsDir: join(config.dataDir, "runs"),
    jobsDir: join(config.dataDir, "jobs"),
    retentionDays: config.store.retentionDays,
    clock,
    log: log.child({ component: "retention" }),
  });
  outbox.start();
  messenger.start();
  if (options.dispatch !== false) {
    await runs.start();
    void sweeps.resume().catch((err: unknown) => log.error({ err }, "could not resume the sweeps being queued"));
    dispatcher.start();
    catchUp.start(config.supervisor.sweepMinutes * 60_000);
    pruner.start(PRUNE_EVERY_MS);
    if (reachable && options.supervise !== false) supervisor.start(config.supervisor.tickSeconds * 1000);
    if (options.supervise !== false) sweepSchedule.start(config.supervisor.tickSeconds * 1000);
  }
  ready = true;
  log.info({ port, dataDir: config.dataDir, publicUrl: config.server.publicUrl }, "cc-ci-bot listening");
  // Whoever started the bot waits for this line: do not hold it back in the log buffer.
  log.flush();

  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      ready = false;
      botLogin.stop();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await closed;
      await parser.stop();
      await supervisor.stop();
      await sweepSchedule.stop();
      await dispatcher.stop();
      // Runs are left running: the next start adopts them.
      await runs.stop();
      await runner.close();
      await catchUp.stop();
      await messenger.stop();
      await pruner.stop();
      await outbox.stop();
      await store.close();
      unwatchEventLoop();
      log.info("cc-ci-bot stopped");
    })());

  return { ...deps, server, port, url, dispatcher, catchUp, pruner, sweepSchedule, stop };
}
