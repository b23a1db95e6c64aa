import { z } from "zod";
import { Cron } from "croner";
import { poolName, redisUrl } from "./redis-url.ts";
import { agentFields, argv, checkBackend, checkSessionName, nameBackend, opencodeServer, profile } from "./agent-schema.ts";

// The configuration contract (docs/design.md#configuration). Every key has a default except the Gitea
// connection, so a minimal file (or only environment variables) is enough to serve.

const role = z.string().regex(/^[a-z][a-z0-9-]*$/, "must be a role name such as builder or adversary");

const session = z
  .object({ ...agentFields, promptVia: z.enum(["argument", "typed"]).default("typed") })
  .superRefine(checkBackend)
  .transform(nameBackend);

const phase = z.object({
  id: z.string().min(1),
  plan: z.string().min(1),
  status: z.string().min(1),
  // The phase's other state files, named in its kickoff; default: STATUS-<x> -> BACKLOG-<x> etc.
  backlog: z.string().min(1).optional(),
  review: z.string().min(1).optional(),
  journal: z.string().min(1).optional(),
});

const pattern = z.string().refine((p) => {
  try {
    new RegExp(p, "i");
    return true;
  } catch {
    return false;
  }
}, "must be a valid regular expression");

const loop = z.object({
  name: z.string().min(1),
  repo: z.string().regex(/^[^/\s]+\/[^/\s]+$/, "must be owner/name"),
  branch: z.string().min(1).default("main"),
  cloneUrl: z.string().min(1).optional(),
  pings: z
    .array(z.object({ prefix: z.string().min(1), to: role }))
    .default([
      { prefix: "claim(", to: "adversary" },
      { prefix: "review(", to: "builder" },
    ]),
  inboxes: z.record(z.string().min(1), role).default({
    "machine-docs/BUILDER-INBOX.md": "builder",
    "machine-docs/ADVERSARY-INBOX.md": "adversary",
  }),
  sessions: z.record(role, session).default({}),
  phases: z.array(phase).default([]),
});

const cron = z.string().refine((c) => {
  try {
    new Cron(c, { paused: true, timezone: "UTC" });
    return true;
  } catch {
    return false;
  }
}, "must be a cron expression (minute hour day month weekday, UTC), e.g. \"0 3 * * 6\"");

const schedule = z
  .object({ ...agentFields, name: z.string().min(1), cron, mode: z.enum(["start", "fresh"]).default("start") })
  .superRefine(checkBackend)
  .transform(nameBackend);

export const configSchema = z.object({
  gitea: z.object({
    url: z
      .url({ error: (iss) => (iss.input === undefined ? "is required" : "must be the Gitea base URL, e.g. https://git.example.org") })
      .transform((u) => u.replace(/\/+$/, "")),
    token: z.string({ error: (iss) => (iss.input === undefined ? "is required" : "must be a string") }).min(1, "must not be empty"),
    botUser: z.string().min(1).optional(),
    /** A Gitea call that has not answered by then is abandoned (and a write retried). */
    timeoutSeconds: z.number().positive().default(30),
  })
    // Parse a missing section as {} so each missing key is reported by name.
    .prefault({} as { url: string; token: string }),
  webhook: z
    .object({
      secrets: z.array(z.string().min(1, "an empty secret would match nothing")).default([]),
      maxBodyBytes: z.number().int().positive().max(64 * 1024 * 1024).default(5 * 1024 * 1024),
    })
    .prefault({}),
  server: z
    .object({
      port: z.number().int().min(0).max(65535).default(8787),
      host: z.string().min(1).default("0.0.0.0"),
      publicUrl: z.url().optional(),
      /** Bearer token for the operator's API calls (pause/resume); unset: those calls are refused. */
      operatorToken: z.string().min(16, "must be at least 16 characters").optional(),
      /** A request whose headers and body have not all arrived by then is answered 408 and closed. */
      requestTimeoutSeconds: z.number().positive().max(3600).default(30),
      /** Connections beyond this many at once are closed as they arrive. */
      maxConnections: z.number().int().min(1).default(1000),
    })
    .prefault({}),
  dataDir: z.string().min(1).default("./data"),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  store: z
    .object({
      // "full" fsyncs each group commit (survives power loss); "normal" survives a process crash only.
      synchronous: z.enum(["full", "normal"]).default("full"),
      retentionDays: z.number().positive().default(30),
    })
    .prefault({}),
  dispatcher: z
    .object({
      maxAttempts: z.number().int().min(1).max(100).default(5),
      backoffMs: z.number().int().positive().default(2000),
      concurrency: z.number().int().min(1).max(64).default(4),
    })
    .prefault({}),
  outbox: z
    .object({
      backoffMs: z.number().int().positive().default(1000),
      maxBackoffMs: z.number().int().positive().default(5 * 60_000),
      concurrency: z.number().int().min(1).max(32).default(4),
    })
    .prefault({}),
  testme: z
    .object({
      repos: z.array(z.string().min(1)).default([]),
      trust: z
        .object({
          orgs: z.array(z.string()).default([]),
          users: z.array(z.string()).default([]),
          collaborators: z.boolean().default(false),
        })
        .prefault({}),
      statusContext: z.string().min(1).default("cc-ci/testme"),
      supersede: z.enum(["cancel", "keep"]).default("cancel"),
      maxRunsPerPr: z.number().int().min(0).default(0),
      /** How long a permission check waits for an unreachable Gitea before the user is told. */
      trustWaitMinutes: z.number().positive().default(30),
      runner: z
        .object({
          command: argv.optional(),
          timeoutMinutes: z.number().positive().default(60),
          /** After the timeout (or a cancel), TERM; after this many seconds, KILL. */
          graceSeconds: z.number().min(0).default(10),
          capacity: z.number().int().min(1).max(64).default(2),
          /** local: child processes on this machine; bullmq: `cc-ci-bot worker`s over Redis (docs/runners.md). */
          backend: z.enum(["local", "bullmq"]).default("local"),
          /** bullmq's Redis (or REDIS_URL). */
          redis: redisUrl.optional(),
          /** Recipe repo (or glob) -> the pool of runner hosts that runs it; others go to `default`. */
          pool: z.record(z.string().min(1), poolName).default({}),
          /** A runner host silent this long (Redis reachable) has lost its runs: they end ERROR. */
          lockSeconds: z.number().positive().max(30).default(30),
        })
        .superRefine((r, ctx) => {
          if (r.backend === "bullmq" && !r.redis) ctx.addIssue({ code: "custom", path: ["redis"], message: "is required with backend: bullmq" });
        })
        .prefault({}),
      /** Sweeps of every enrolled recipe's default branch (docs/design.md#scheduled-sweeps), e.g. [{cron: "0 2 * * *"}]. */
      schedules: z.array(z.object({ cron, mode: z.enum(["full", "quick"]).default("full") })).default([]),
      /** Each sweep's report as one new issue in `repo`; newly red recipes mention their maintainers. */
      report: z
        .object({
          repo: z.string().regex(/^[^/\s]+\/[^/\s]+$/, "must be owner/name"),
          title: z.string().min(1).max(200).default("cc-ci sweep"),
          /** Recipe repo (or glob) -> users or org/teams to @-mention; default: the recipe repo's owner. */
          maintainers: z.record(z.string().min(1), z.array(z.string().regex(/^[\w.-]+(\/[\w.-]+)?$/, "must be a user or org/team name"))).default({}),
        })
        .optional(),
    })
    .prefault({}),
  operators: z.array(z.string().min(1)).default([]),
  jobs: z.record(z.string(), z.object({ command: argv, timeoutMinutes: z.number().positive().default(120) })).default({}),
  commands: z
    .object({
      /** Per user: at most `count` slash-commands per `windowSeconds`. */
      rateLimit: z.object({ count: z.number().int().min(1).default(10), windowSeconds: z.number().positive().default(60) }).prefault({}),
    })
    .prefault({}),
  loops: z.array(loop).default([]),
  /** The opencode server of sessions with `backend: opencode-server` that name none of their own. */
  opencode: opencodeServer.optional(),
  supervisor: z
    .object({
      tickSeconds: z.number().positive().default(30),
      stallGraceSeconds: z.number().min(0).default(180),
      stallIdleSeconds: z.number().positive().default(300),
      sweepMinutes: z.number().positive().default(5),
      orchestrator: z
        .object({ session: agentFields.session, tmux: agentFields.tmux, cwd: z.string().optional(), start: argv, aliveProbe: argv.optional(), profile })
        .superRefine((o, ctx) => {
          checkSessionName(o, ctx);
          if (o.session === undefined && o.tmux === undefined) ctx.addIssue({ code: "custom", path: ["session"], message: "is required: the orchestrator's session name (its tmux session)" });
        })
        .transform(({ tmux, ...o }) => ({ ...o, session: o.session ?? tmux ?? "" }))
        .optional(),
      schedules: z.array(schedule).default([]),
      /** tmux server socket name (-L); default: the user's default tmux server. */
      tmuxSocket: z.string().min(1).optional(),
      /** Set lists replace the session profile's own (generic's are "redacted_thinking", "blocks cannot be modified"; "usage limit|…"; "esc to interrupt"). */
      patterns: z
        .object({
          fatal: z.array(pattern).optional(),
          limit: z.array(pattern).optional(),
          busy: z.array(pattern).optional(),
          /** The TUI's input line; default: the last non-empty line of the pane. */
          inputLine: pattern.optional(),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type Config = z.infer<typeof configSchema>;

export type LoopConfig = Config["loops"][number];
export type SessionConfig = LoopConfig["sessions"][string];
export type PhaseConfig = LoopConfig["phases"][number];
