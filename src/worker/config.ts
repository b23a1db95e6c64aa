import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { z } from "zod";
import { argv } from "../config/agent-schema.ts";
import { ConfigError, interpolate, readYaml, type Env, type Json } from "../config/load.ts";
import { poolName, redisUrl } from "../config/redis-url.ts";

/**
 * A runner host's own configuration (`cc-ci-bot worker --config FILE`): where Redis is, which
 * command runs a recipe here, how many at once, for which pools. No Gitea: a worker never
 * talks to Gitea and holds no token.
 */
export const workerConfigSchema = z.object({
  redis: redisUrl,
  command: argv,
  concurrency: z.number().int().min(1).max(64).default(1),
  pools: z.array(poolName).min(1).default(["default"]),
  dataDir: z.string().min(1).default("./worker-data"),
  /** The name shown on the dashboard. */
  name: z.string().min(1).max(100).default(hostname()),
  /** Must match the bot's testme.runner.lockSeconds: how long a silent host keeps its runs. */
  lockSeconds: z.number().positive().max(30).default(30),
  /** On SIGTERM: runs still going after this many seconds are cancelled (they end ERROR). */
  drainSeconds: z.number().min(0).default(600),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace"]).default("info"),
});

export type WorkerConfig = z.infer<typeof workerConfigSchema>;

export interface WorkerOverrides {
  concurrency?: number;
  pools?: string[];
}

/** The file (if any), `${VAR}`s from the environment, REDIS_URL winning, then the flags. */
export function loadWorkerConfig(path: string | undefined, env: Env, overrides: WorkerOverrides = {}): WorkerConfig {
  let raw: Json = {};
  if (path !== undefined) {
    if (!existsSync(path)) throw new ConfigError([`config file ${path} does not exist (given by --config)`]);
    raw = readYaml(path);
  }
  const problems: string[] = [];
  const doc = interpolate(raw, env, [], problems) as Record<string, Json>;
  if (problems.length > 0) throw new ConfigError(problems);
  const input: Record<string, Json> = { ...(doc && typeof doc === "object" && !Array.isArray(doc) ? doc : {}) };
  if (env.REDIS_URL) input.redis = env.REDIS_URL;
  if (overrides.concurrency !== undefined) input.concurrency = overrides.concurrency;
  if (overrides.pools !== undefined && overrides.pools.length > 0) input.pools = overrides.pools;
  const result = workerConfigSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.code === "invalid_type" && i.message.includes("received undefined") ? "is required" : i.message}`));
  }
  return result.data;
}
