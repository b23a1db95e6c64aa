import { resolve } from "node:path";

export const USAGE = `Usage: npm run record:gitea -- --url URL --admin USER:PASSWORD --out DIR [--deadline S] [--settle-ms MS]

Plays the scenario of test/fixtures/forges/gitea-1.15.11 against a FRESH Gitea or Forgejo and
writes its webhook deliveries (001-push ... 020-push), API exchanges (api/01-version ...
api/57-comment-create-bad-token), README.md and forge.json into DIR.

  --url URL          the forge's root URL, e.g. http://127.0.0.1:3000 (no credentials in it)
  --admin USER:PASS  a site admin (gadmin is created with it when USER is not gadmin)
  --out DIR          a new or empty folder
  --deadline S       how long to wait for each delivery (default 60)
  --settle-ms MS     how long the receiver must stay quiet after an action (default 1500)
  -h, --help         this text

Gitea >= 1.16 and Forgejo must be allowed to deliver webhooks to 127.0.0.1:
[webhook] ALLOWED_HOST_LIST = loopback (1.15 has no such limit).`;

export interface Args {
  url: string;
  admin: { user: string; password: string };
  out: string;
  deadlineMs: number;
  settleMs: number;
}

/** A one-line problem with the command line. */
export class UsageError extends Error {}

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n <= 0) throw new UsageError(`${flag} must be a positive whole number, got "${v}"`);
  return n;
}

/** The arguments, `"help"` for --help, or a UsageError naming the first problem. */
export function parseArgs(argv: string[]): Args | "help" {
  const got = new Map<string, string>();
  const known = ["--url", "--admin", "--out", "--deadline", "--settle-ms"];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "-h" || a === "--help") return "help";
    const eq = a.indexOf("=");
    const flag = a.startsWith("--") && eq > 0 ? a.slice(0, eq) : a;
    if (!known.includes(flag)) throw new UsageError(a.startsWith("-") ? `unknown option ${flag}` : `unexpected argument "${a}"`);
    const value = eq > 0 && a.startsWith("--") ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith("--"))) throw new UsageError(`${flag} needs a value`);
    if (got.has(flag)) throw new UsageError(`${flag} given twice`);
    got.set(flag, value);
  }
  for (const f of ["--url", "--admin", "--out"]) if (!got.get(f)) throw new UsageError(`${f} is required`);

  let url: URL;
  try {
    url = new URL(got.get("--url")!);
  } catch {
    throw new UsageError(`--url is not a URL: "${got.get("--url")!}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--url must be http or https, got ${url.protocol}`);
  if (url.username || url.password) throw new UsageError("--url must not carry credentials: give them with --admin USER:PASSWORD");
  if (url.search || url.hash) throw new UsageError("--url must be the forge's root URL, without a query or fragment");

  const admin = got.get("--admin")!;
  const colon = admin.indexOf(":");
  if (colon <= 0 || colon === admin.length - 1) throw new UsageError("--admin must be USER:PASSWORD");

  return {
    url: url.toString().replace(/\/+$/, ""),
    admin: { user: admin.slice(0, colon), password: admin.slice(colon + 1) },
    out: resolve(got.get("--out")!),
    deadlineMs: positive("--deadline", got.get("--deadline") ?? "60") * 1000,
    settleMs: positive("--settle-ms", got.get("--settle-ms") ?? "1500"),
  };
}
