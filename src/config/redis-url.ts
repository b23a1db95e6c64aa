import { z } from "zod";

/**
 * A Redis URL (`redis://` or `rediss://` for TLS). Its messages never echo the value: the URL
 * may carry the password (`redis://:secret@host:6379/0`), and configuration errors are printed.
 */
export const redisUrl = z.string().superRefine((value, ctx) => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    ctx.addIssue({ code: "custom", message: "is not a URL (redis://[:password@]host:port[/db], or rediss:// for TLS)" });
    return;
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") ctx.addIssue({ code: "custom", message: `must start with redis:// or rediss://, not ${url.protocol}//` });
  else if (!url.hostname) ctx.addIssue({ code: "custom", message: "names no host" });
});

/** The URL's password (and user), to be redacted wherever text is shown. */
export function redisSecrets(value: string | undefined): string[] {
  if (!value) return [];
  try {
    const url = new URL(value);
    return [decodeURIComponent(url.password), decodeURIComponent(url.username)].filter((s) => s.length >= 4);
  } catch {
    return [];
  }
}

/** The URL as it may be shown: host, port and db, never the credentials. */
export function showRedis(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.password || url.username ? "***@" : ""}${url.host}${url.pathname === "/" ? "" : url.pathname}`;
  } catch {
    return "(an invalid URL)";
  }
}

/** A pool name: it is a metric label and a queue name, so short and plain. */
export const poolName = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "a pool name is 1-40 letters, digits, - or _");
