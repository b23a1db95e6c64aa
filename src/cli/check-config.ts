import type { Config } from "../config/schema.ts";
import { showRedis } from "../config/redis-url.ts";
import { loadConfigOrExplain, parse, type Command } from "./command.ts";

export const checkConfig: Command = {
  name: "check-config",
  summary: "validate the configuration and print what it enrols (no secrets)",
  help: `Usage: cc-ci-bot check-config [--config FILE] [--json]

Loads the configuration exactly as "serve" would (file, then environment) and reports the
first problems with the key to fix, or a summary of what the bot will act on.
Exit status: 0 valid, 2 invalid.
`,
  async run(args) {
    const { values } = parse(args, { config: { type: "string" }, json: { type: "boolean" } });
    const { config, source, warnings: deprecated } = await loadConfigOrExplain(values.config);
    const summary = {
      source: source ?? "environment only",
      gitea: config.gitea.url,
      botUser: config.gitea.botUser ?? "(the token's user)",
      webhookSecrets: config.webhook.secrets.length,
      port: config.server.port,
      dataDir: config.dataDir,
      testmeRepos: config.testme.repos,
      sweeps: config.testme.schedules.map((x) => `${x.cron} (${x.mode})`),
      loops: config.loops.map((l) => ({ name: l.name, repo: l.repo, phases: l.phases.length, sessions: Object.keys(l.sessions) })),
      operators: config.operators.length,
      jobs: Object.keys(config.jobs),
      runner: runnerSummary(config),
    };
    if (values.json) {
      process.stdout.write(JSON.stringify({ ok: true, ...summary, warnings: deprecated }, null, 2) + "\n");
      return 0;
    }
    const warnings = [...deprecated, ...(config.webhook.secrets.length === 0 ? ["no webhook secret: every delivery would be refused (set WEBHOOK_SECRET)"] : [])];
    process.stdout.write(
      [
        `configuration OK (${summary.source})`,
        `  gitea:          ${summary.gitea} as ${summary.botUser}`,
        `  webhook:        ${summary.webhookSecrets} secret(s), port ${summary.port}, data in ${summary.dataDir}`,
        `  !testme repos:  ${summary.testmeRepos.join(", ") || "(none)"}`,
        `  sweeps (UTC):   ${summary.sweeps.join(", ") || "(none; /testall only)"}${config.testme.report ? `, reported in ${config.testme.report.repo}` : ""}`,
        `  runs:           ${summary.runner}`,
        `  loops:          ${summary.loops.map((l) => `${l.name} (${l.repo})`).join(", ") || "(none)"}`,
        ...warnings.map((w) => `  warning: ${w}`),
      ].join("\n") + "\n",
    );
    return 0;
  },
};

/** Where runs go, in one line; the Redis URL without its credentials. */
function runnerSummary(config: Config): string {
  const r = config.testme.runner;
  if (r.backend === "local") return `local, ${r.capacity} at a time, ${r.command ? r.command.join(" ") : "no runner command (runs end ERROR)"}`;
  const pools = Object.entries(r.pool).map(([repo, pool]) => `${repo} -> ${pool}`);
  return `bullmq workers via ${showRedis(r.redis ?? "")}; pools: ${pools.join(", ") || "everything in default"}`;
}
