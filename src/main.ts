import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DestinationStream } from "pino";
import { getRequestListener } from "@hono/node-server";
import { systemClock, type Clock } from "./clock.ts";
import type { Config } from "./config/schema.ts";
import { makeEnrolment } from "./config/enrolment.ts";
import { createLogger, type Logger } from "./log.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { makeRedactor, type Redactor } from "./redact.ts";
import { openStore, type Store } from "./store/index.ts";
import { GiteaClient, type GiteaPort } from "./gitea/client.ts";
import { GiteaOutbox } from "./gitea/outbox.ts";
import { warnIfOrgsHidden } from "./gitea/org-visibility.ts";
import { Dispatcher } from "./handlers/dispatcher.ts";
import type { Handler } from "./handlers/handler.ts";
import { createHandlers } from "./handlers/registry.ts";
import { createIntake } from "./webhooks/intake.ts";
import { ParsePool } from "./webhooks/parse-pool.ts";
import type { IntakePolicy } from "./webhooks/ignore.ts";
import { createWebApp } from "./web/app.ts";
import { limitConnections, serverOptions } from "./web/connection-limits.ts";
import { Mirrors } from "./git/mirrors.ts";
import { Phases } from "./handlers/phases.ts";
import { LoopSweep } from "./handlers/loop-sweep.ts";
import { CommentSweep } from "./handlers/comment-sweep.ts";
import { makeTestmeEnrolment } from "./config/enrolment.ts";
import { Messenger } from "./supervisor/messenger.ts";
import { SessionControl } from "./supervisor/sessions.ts";
import { Tmux } from "./supervisor/tmux.ts";
import { withoutSecrets } from "./util/child-env.ts";
import { TmuxSessions } from "./supervisor/tmux-sessions.ts";
import { tmuxAgents } from "./supervisor/tmux-agents.ts";
import { operatorAlerts } from "./supervisor/operator-alert.ts";
import { AgentRouter } from "./supervisor/agent-router.ts";
import type { AgentSessions } from "./supervisor/agent-sessions.ts";
import { opencodeAgents, opencodePasswords } from "./supervisor/opencode/from-config.ts";
import { GENERIC_PATTERNS } from "./supervisor/profiles/generic.ts";
import { join } from "node:path";
import { Executor } from "./runs/executor.ts";
import { RunService } from "./runs/service.ts";
import { execa } from "execa";
import { Supervisor } from "./supervisor/supervisor.ts";
import { managedSessions } from "./supervisor/managed.ts";
import { JobService } from "./jobs/service.ts";
import { Pruner } from "./store/pruner.ts";
import { SweepService } from "./runs/sweeps.ts";
import { SweepSchedule } from "./runs/sweep-schedule.ts";

/** Retention is by days: an hourly pass keeps the store within an hour of store.retentionDays. */
const PRUNE_EVERY_MS = 3_600_000;

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
  sessions: SessionControl;
  mirrors: Mirrors;
  phases: Phases;
  runs: RunService;
  executor: Executor;
  supervisor: Supervisor;
  jobs: JobService;
  sweeps: SweepService;
  runUrl: (id: number) => string;
  jobUrl: (id: number) => string;
  sweepUrl: (id: number) => string;
  /** Compiled from supervisor.patterns. */
  patterns: { fatal: RegExp[]; limit: RegExp[]; busy: RegExp[]; inputLine: RegExp | undefined };
}

export interface Bot extends BotDeps {
  server: Server;
  port: number;
  url: string;
  dispatcher: Dispatcher;
  loopSweep: LoopSweep;
  commentSweep: CommentSweep;
  pruner: Pruner;
  sweepSchedule: SweepSchedule;
  stop(): Promise<void>;
}

/**
 * The composition root: reads nothing itself, builds every dependency once, wires ports into
 * handlers, and starts the server and the background workers.
 */
export async function startBot(options: BotOptions): Promise<Bot> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const secrets = [config.gitea.token, ...config.webhook.secrets, config.server.operatorToken, ...opencodePasswords(config, process.env)];
  const redact = makeRedactor(secrets);
  const log = createLogger(config.logLevel, redact, options.logDestination);
  const metrics = createMetrics();
  const unwatchEventLoop = metrics.watchEventLoop();
  const store = openStore(config.dataDir, { synchronous: config.store.synchronous });
  const gitea = options.gitea ?? new GiteaClient({ url: config.gitea.url, token: config.gitea.token, metrics, redact, timeoutMs: config.gitea.timeoutSeconds * 1000 });

  let botLogin: string | null = config.gitea.botUser ?? null;
  const botUser = () => botLogin;
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
  const sp = config.supervisor.patterns;
  const compile = (list: string[] | undefined) => list?.map((p) => new RegExp(p, "i"));
  // Pattern lists set in the configuration replace each session profile's own.
  const overrides = { fatal: compile(sp.fatal), limit: compile(sp.limit), busy: compile(sp.busy), inputLine: sp.inputLine ? new RegExp(sp.inputLine) : undefined };
  const patterns = {
    fatal: overrides.fatal ?? [...GENERIC_PATTERNS.fatal],
    limit: overrides.limit ?? [...GENERIC_PATTERNS.limit],
    busy: overrides.busy ?? [...GENERIC_PATTERNS.busy],
    inputLine: overrides.inputLine,
  };
  const tmux = new Tmux({ socketName: config.supervisor.tmuxSocket, env: withoutSecrets(process.env, secrets) });
  const tmuxAvailable = await tmux.available();
  if (!tmuxAvailable) log.warn("tmux is not installed: pings to agent sessions are recorded as undeliverable; everything else runs");
  const tmuxSessions = new TmuxSessions({ tmux, agents: tmuxAgents(config, overrides), clock, log: log.child({ component: "sessions" }) });
  // Sessions on an opencode server go to its backend; without tmux they still run.
  const opencode = opencodeAgents(config, process.env, log.child({ component: "sessions" }));
  for (const w of opencode.warnings) log.warn(w);
  const agents = opencode.sessions.size === 0 ? tmuxSessions : new AgentRouter(tmuxSessions, opencode.sessions, tmuxAvailable ? undefined : "tmux is not installed on this machine");
  const messenger = new Messenger({
    agents,
    unavailable: tmuxAvailable || opencode.sessions.size > 0 ? undefined : "tmux is not installed on this machine",
    store: store.pings,
    clock,
    log: log.child({ component: "messenger" }),
    metrics,
  });
  const sessions = new SessionControl({ agents, wake: () => messenger.wake(), log: log.child({ component: "sessions" }) });
  const mirrors = new Mirrors(config.dataDir, config.gitea.url, config.gitea.token);
  const phases = new Phases({ store, sessions, clock, log: log.child({ component: "phases" }) });
  // Links in statuses and comments; until the server listens, the configured public URL.
  let publicBase = config.server.publicUrl?.replace(/\/+$/, "") ?? `http://127.0.0.1:${config.server.port}`;
  const runUrl = (id: number) => `${publicBase}/runs/${id}`;
  const executor = new Executor(join(config.dataDir, "runs"));
  const runs = new RunService({
    runs: store.runs,
    outbox,
    executor,
    config: {
      statusContext: config.testme.statusContext,
      command: config.testme.runner.command,
      timeoutMs: config.testme.runner.timeoutMinutes * 60_000,
      graceMs: config.testme.runner.graceSeconds * 1000,
      capacity: config.testme.runner.capacity,
    },
    clock,
    log: log.child({ component: "runs" }),
    metrics,
    runUrl,
    redact,
  });
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
  const jobUrl = (id: number) => `${publicBase}/jobs/${id}`;
  const jobs = new JobService({
    store: store.jobs,
    dir: join(config.dataDir, "jobs"),
    clock,
    log: log.child({ component: "jobs" }),
    redact,
    timeoutMs: Math.max(...Object.values(config.jobs).map((j) => j.timeoutMinutes), 1) * 60_000,
  });
  await jobs.recover();
  const sweepUrl = (id: number) => `${publicBase}/sweeps/${id}`;
  const sweeps = new SweepService({
    config,
    isTestmeRepo: makeTestmeEnrolment(config),
    gitea,
    runs,
    store,
    outbox,
    executor,
    clock,
    log: log.child({ component: "sweeps" }),
    metrics,
    runUrl,
    sweepUrl,
  });
  const sweepSchedule = new SweepSchedule({ schedules: config.testme.schedules, cursors: store.cursors, clock, log: log.child({ component: "sweeps" }), fire: (req) => sweeps.start(req) });
  const deps: BotDeps = { config, clock, log, metrics, store, gitea, outbox, redact, botUser, tmux, agents, messenger, sessions, mirrors, phases, runs, executor, supervisor, jobs, sweeps, runUrl, jobUrl, sweepUrl, patterns };
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
  const app = createWebApp({ store, metrics, ready: () => ready, log, loops: config.loops, phases, executor, redact, supervisor, operatorToken: config.server.operatorToken, jobs, giteaUrl: config.gitea.url, sweeps });
  const rest = getRequestListener(app.fetch);
  const limits = { requestTimeoutMs: config.server.requestTimeoutSeconds * 1000, maxConnections: config.server.maxConnections };
  const server = createServer(serverOptions(limits), (req, res) => {
    if (req.url === "/webhook" || req.url?.startsWith("/webhook?")) {
      intake(req, res).catch((err: unknown) => {
        log.error({ err }, "intake failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("internal error\n");
      });
      return;
    }
    void rest(req, res);
  });
  server.keepAliveTimeout = 5_000;
  limitConnections(server, limits, { log: log.child({ component: "server" }), metrics });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.server.port, config.server.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  if (!config.server.publicUrl) publicBase = url;

  // The bot's own login tells its comments apart; resolve it in the background so a Gitea
  // outage at start does not stop intake.
  let resolveTimer: NodeJS.Timeout | null = null;
  const resolveBotUser = async () => {
    try {
      botLogin = await gitea.currentUser();
      log.info({ botUser: botLogin }, "bot account resolved from the token");
      outbox.wake();
      dispatcher.wake();
      void warnIfOrgsHidden(gitea, config.testme.trust.orgs, botLogin, log);
    } catch (err) {
      log.warn({ err }, "could not ask Gitea who the token belongs to; will try again in 30 s");
      resolveTimer = setTimeout(() => void resolveBotUser(), 30_000);
      resolveTimer.unref();
    }
  };
  if (botLogin === null) void resolveBotUser();
  else void warnIfOrgsHidden(gitea, config.testme.trust.orgs, botLogin, log);

  const loopSweep = new LoopSweep({ loops: config.loops, mirrors, store, clock, log: log.child({ component: "sweep" }), onQueued: () => dispatcher.wake() });
  const commentSweep = new CommentSweep({
    patterns: config.testme.repos,
    isTestmeRepo: makeTestmeEnrolment(config),
    gitea,
    giteaUrl: config.gitea.url,
    store,
    clock,
    log: log.child({ component: "sweep" }),
    onQueued: () => dispatcher.wake(),
  });
  // Gitea never retries a delivery: look for what it did not send, at start and every few minutes.
  const sweep = () => Promise.all([loopSweep.sweep(), commentSweep.sweep()]);
  let sweepTimer: NodeJS.Timeout | null = null;
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
    void sweep();
    sweepTimer = setInterval(() => void sweep(), config.supervisor.sweepMinutes * 60_000);
    sweepTimer.unref();
    pruner.start(PRUNE_EVERY_MS);
    if ((tmuxAvailable || opencode.sessions.size > 0) && options.supervise !== false) supervisor.start(config.supervisor.tickSeconds * 1000);
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
      if (resolveTimer) clearTimeout(resolveTimer);
      if (sweepTimer) clearInterval(sweepTimer);
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await closed;
      await parser.stop();
      await supervisor.stop();
      await sweepSchedule.stop();
      await dispatcher.stop();
      // Runs are left running: the next start adopts them.
      await runs.stop();
      await sweep().catch(() => undefined);
      await messenger.stop();
      await pruner.stop();
      await outbox.stop();
      await store.close();
      unwatchEventLoop();
      log.info("cc-ci-bot stopped");
    })());

  return { ...deps, server, port, url, dispatcher, loopSweep, commentSweep, pruner, sweepSchedule, stop };
}
