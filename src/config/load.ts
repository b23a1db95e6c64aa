import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { opencodeServerIssues } from "./agent-schema.ts";
import { deprecationWarnings } from "./deprecated.ts";
import { configSchema, type Config } from "./schema.ts";

export const DEFAULT_CONFIG_PATH = "./cc-ci-bot.yaml";

/** A configuration problem, worded so the operator can fix it without reading code. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export type Env = Record<string, string | undefined>;
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface LoadOptions {
  /** Explicit path (--config); when given, the file must exist. */
  path?: string | undefined;
  env?: Env;
}

export interface LoadedConfig {
  config: Config;
  /** The file read, or null when the configuration came from the environment alone. */
  source: string | null;
  /** Keys read under an old name, one line each, for the log and check-config. */
  warnings: string[];
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const explicit = options.path ?? env.CC_CI_BOT_CONFIG;
  const path = explicit ?? DEFAULT_CONFIG_PATH;
  let raw: Json = {};
  let source: string | null = null;
  if (existsSync(path)) {
    raw = readYaml(path);
    source = path;
  } else if (explicit !== undefined) {
    throw new ConfigError([`config file ${path} does not exist (given by --config or CC_CI_BOT_CONFIG)`]);
  }
  const problems: string[] = [];
  const interpolated = interpolate(raw, env, [], problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { config: parseConfig(applyEnv(interpolated, env)), source, warnings: deprecationWarnings(interpolated) };
}

export function parseConfig(input: unknown): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) throw new ConfigError(result.error.issues.map(describeIssue));
  const missing = opencodeServerIssues(result.data);
  if (missing.length > 0) throw new ConfigError(missing.map((i) => `${i.path.join(".")}: ${i.message}`));
  return result.data;
}

export function readYaml(path: string): Json {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ConfigError([`cannot read ${path}: ${(err as Error).message}`]);
  }
  try {
    const doc = parseYaml(text) as Json;
    return doc ?? {};
  } catch (err) {
    throw new ConfigError([`${path} is not valid YAML: ${(err as Error).message.split("\n")[0]}`]);
  }
}

/** Replaces `${NAME}` in string values with the environment variable, naming any that are unset. */
export function interpolate(value: Json, env: Env, at: string[], problems: string[]): Json {
  if (typeof value === "string") {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
      const v = env[name];
      if (v === undefined) problems.push(`${at.join(".") || "(root)"}: refers to \${${name}} but ${name} is not set in the environment`);
      return v ?? "";
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...at, String(i)], problems));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, [...at, k], problems)]));
  }
  return value;
}

/** The environment wins over the file (docs/design.md#configuration). */
function applyEnv(file: Json, env: Env): Json {
  const root = (isObject(file) ? { ...file } : {}) as Record<string, Json>;
  const section = (key: string): Record<string, Json> => {
    const current = root[key];
    const copy = isObject(current) ? { ...current } : {};
    root[key] = copy;
    return copy;
  };
  if (env.GITEA_URL) section("gitea").url = env.GITEA_URL;
  if (env.GITEA_TOKEN) section("gitea").token = env.GITEA_TOKEN;
  if (env.WEBHOOK_SECRET !== undefined) {
    section("webhook").secrets = env.WEBHOOK_SECRET.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  }
  if (env.PORT) section("server").port = Number(env.PORT);
  if (env.PUBLIC_URL) section("server").publicUrl = env.PUBLIC_URL;
  if (env.DATA_DIR) root.dataDir = env.DATA_DIR;
  if (env.LOG_LEVEL) root.logLevel = env.LOG_LEVEL;
  if (env.REDIS_URL) {
    const testme = section("testme");
    const runner = isObject(testme.runner) ? { ...testme.runner } : {};
    runner.redis = env.REDIS_URL;
    testme.runner = runner;
  }
  return root;
}

function isObject(v: Json | undefined): v is { [key: string]: Json } {
  return v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v);
}

const HINTS: Record<string, string> = {
  "gitea.url": "set gitea.url in the file or GITEA_URL in the environment",
  "gitea.token": "set GITEA_TOKEN in the environment, or gitea.token: ${GITEA_TOKEN} in the file",
  "webhook.secrets": "set WEBHOOK_SECRET (comma-separated for rotation) or webhook.secrets",
  "server.port": "PORT must be a whole number from 0 to 65535",
  "testme.runner.redis": "set REDIS_URL in the environment or testme.runner.redis: redis://[:password@]host:6379/0 (rediss:// for TLS)",
};

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.map(String).join(".") || "(root)";
  const what = issue.code === "invalid_type" && issue.message.includes("received undefined") ? "is required" : issue.message;
  const hint = HINTS[key] ?? HINTS[issue.path.slice(0, 2).map(String).join(".")];
  return `${key}: ${what}${hint ? ` (${hint})` : ""}`;
}
