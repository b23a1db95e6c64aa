import { CliError, parse, type Command } from "./command.ts";
import { onStopSignal } from "../util/stop-signal.ts";

export const worker: Command = {
  name: "worker",
  summary: "run recipes handed over by the bot through Redis (one per runner host)",
  help: `Usage: cc-ci-bot worker --config FILE [--concurrency N] [--pool NAME]...

Takes runs from the bot's BullMQ queues on Redis and runs them with THIS host's configured
command, the run's CCCI_* values in its environment, under the same timeout, grace and cancel
rules as a local run. Streams each log back while it runs, then the exit status and
results.json. Holds no Gitea token and never talks to Gitea.

The file (YAML; \${VAR} taken from the environment):
  redis: redis://:password@redis.example:6379/0   # or REDIS_URL; rediss:// for TLS
  command: ["/usr/local/bin/run-recipe-ci"]
  concurrency: 2
  pools: [default]
  dataDir: /var/lib/cc-ci-bot-worker
  lockSeconds: 30                                  # the bot's testme.runner.lockSeconds
  drainSeconds: 600

Options:
  --config FILE      the worker's configuration
  --concurrency N    runs at once (overrides the file)
  --pool NAME        a pool to serve (repeatable; overrides the file)

On SIGTERM it drains: takes no new run, lets the runs going finish, and cancels those still
going after drainSeconds (they end ERROR "runner host shutting down"). A second signal exits
at once. Exit status: 0 stopped, 2 usage or configuration.
`,
  async run(args) {
    const { values } = parse(args, { config: { type: "string" }, concurrency: { type: "string" }, pool: { type: "string", multiple: true } });
    const { ConfigError } = await import("../config/load.ts");
    const { loadWorkerConfig } = await import("../worker/config.ts");
    const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
    if (concurrency !== undefined && !Number.isInteger(concurrency)) throw new CliError("--concurrency takes a whole number", 2);
    let config;
    try {
      config = loadWorkerConfig(values.config, process.env, { ...(concurrency !== undefined ? { concurrency } : {}), ...(values.pool ? { pools: values.pool } : {}) });
    } catch (err) {
      if (err instanceof ConfigError) throw new CliError(err.message, 2);
      throw err;
    }
    const { createLogger } = await import("../log.ts");
    const { makeRedactor } = await import("../redact.ts");
    const { redisSecrets } = await import("../config/redis-url.ts");
    const { RunnerWorker } = await import("../worker/runner-worker.ts");
    const log = createLogger(config.logLevel, makeRedactor(redisSecrets(config.redis)));
    const runner = new RunnerWorker(config, log.child({ component: "worker" }));
    const stopped = new Promise<void>((resolve) => {
      onStopSignal((signal) => {
        log.info({ signal }, "draining");
        void runner.stop().then(resolve);
      });
    });
    await runner.start();
    await stopped;
    return 0;
  },
};
