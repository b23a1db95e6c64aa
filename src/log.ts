import { pino, type Logger, type DestinationStream } from "pino";
import type { Redactor } from "./redact.ts";

export type { Logger };

// Paths that may carry credentials wherever they appear in a log object.
const REDACT_PATHS = [
  "token",
  "secret",
  "secrets",
  "authorization",
  "*.token",
  "*.secret",
  "*.secrets",
  "*.authorization",
  "*.Authorization",
  "headers.authorization",
  "gitea.token",
  "config.gitea.token",
  "config.webhook.secrets",
];

/**
 * JSON logs (pino). Structured fields are redacted by path; messages and error texts pass
 * through the redactor built from the configured secrets, so a token echoed in an error
 * from a child process never reaches the log.
 */
export function createLogger(level: string, redact: Redactor, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "cc-ci-bot" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === "string" ? redact(a) : a)) as Parameters<typeof method>,
          );
        },
      },
      formatters: {
        // A secret can hide in any string field (an error text from a child process, a URL).
        log: (obj) => redactDeep(obj, redact, 0) as Record<string, unknown>,
      },
      serializers: {
        err: (err: unknown) => {
          const e = pino.stdSerializers.err(err as Error);
          return { ...e, message: redact(e.message ?? ""), stack: e.stack ? redact(e.stack) : undefined };
        },
      },
    },
    destination,
  );
}

function redactDeep(value: unknown, redact: Redactor, depth: number): unknown {
  if (typeof value === "string") return redact(value);
  if (depth > 5 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, redact, depth + 1);
  return out;
}
