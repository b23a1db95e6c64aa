import { openSync } from "node:fs";
import { pino, type Logger, type DestinationStream } from "pino";
import { REDACTED, type Redactor } from "./redact.ts";

export type { Logger };

// Fields that carry credentials, whatever they hold and wherever they appear in a log object.
const SECRET_KEYS = new Set(["token", "secret", "secrets", "authorization", "password"]);
const MAX_DEPTH = 6;

/**
 * JSON logs (pino). Structured fields named like credentials are censored at any depth; every
 * other string (messages, error texts, URLs) passes through the redactor built from the
 * configured secrets, so a token echoed by a child process never reaches the log. One walk
 * per line, and a line with nothing to hide is logged as it is, without a copy.
 */
export function createLogger(level: string, redact: Redactor, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "cc-ci-bot" },
      hooks: {
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) if (typeof args[i] === "string") args[i] = redact(args[i] as string);
          method.apply(this, args);
        },
      },
      formatters: {
        log: (obj) => scrub(obj, redact, 0) as Record<string, unknown>,
      },
      serializers: {
        err: (err: unknown) => {
          const e = pino.stdSerializers.err(err as Error);
          return { ...e, message: redact(e.message ?? ""), stack: e.stack ? redact(e.stack) : undefined };
        },
      },
    },
    destination ?? logStream(),
  );
}

/**
 * Where logs go unless told otherwise (stdout by default): written in the background in blocks
 * of up to 4 KiB rather than one write per line, since every delivery logs a line and a write
 * each would be a system call on the event loop per delivery. Flushed every second and when
 * the process exits, so a line is at most a second late (and lost only with a SIGKILL).
 */
export function logStream(dest: number | string = 1): DestinationStream {
  // A file is opened here, not in the background, so a line logged just before an exit is kept.
  const fd = typeof dest === "number" ? dest : openSync(dest, "a");
  const stream = pino.destination({ dest: fd, sync: false, minLength: 4096 });
  const timer = setInterval(() => {
    try {
      stream.flush();
    } catch {
      // Not open yet, or being closed: the next tick or the exit flush writes it.
    }
  }, 1000);
  timer.unref();
  return stream;
}

/** The value with secrets censored; the same object when there was nothing to censor. */
export function scrub(value: unknown, redact: Redactor, depth: number): unknown {
  if (typeof value === "string") return redact(value);
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const v = scrub(value[i], redact, depth + 1);
      if (v !== value[i]) (out ??= [...value])[i] = v;
    }
    return out ?? value;
  }
  // Errors, dates and buffers are left to their serializers.
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | null = null;
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    const clean = SECRET_KEYS.has(key.toLowerCase()) && v !== undefined && v !== null ? REDACTED : scrub(v, redact, depth + 1);
    if (clean !== v) (out ??= { ...(value as Record<string, unknown>) })[key] = clean;
  }
  return out ?? value;
}
