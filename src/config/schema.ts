import { z } from "zod";
import { Cron } from "croner";

// The configuration contract (SPEC §10). Every key has a default except the Gitea
// connection, so a minimal file (or only environment variables) is enough to serve.

const argv = z.array(z.string().min(1)).min(1, "must name a command: an argv array such as [\"/usr/local/bin/run\"]");
const role = z.string().regex(/^[a-z][a-z0-9-]*$/, "must be a role name such as builder or adversary");

/** How the tmux backend reads the session's screen; default: claude-code when `start` runs claude, else generic. */
const profile = z.enum(["claude-code", "opencode", "generic"]).optional();

/** An opencode server (`opencode serve`) the `opencode-server` backend talks to. */
const opencodeServer = z.object({
  url: z.url("must be the opencode server's base URL, e.g. http://127.0.0.1:4096").transform((u) => u.replace(/\/+$/, "")),
  /** The environment variable holding its OPENCODE_SERVER_PASSWORD (never the password itself). */
  passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must name an environment variable, e.g. OPENCODE_SERVER_PASSWORD").optional(),
  /** The server's OPENCODE_SERVER_USERNAME; opencode's default is "opencode". */
  username: z.string().min(1).optional(),
  timeoutSeconds: z.number().positive().max(300).default(10),
});
export type OpencodeServerConfig = z.infer<typeof opencodeServer>;

/** An agent and where it runs, for loop sessions and scheduled jobs alike. */
const agentFields = {
  tmux: z.string().min(1).optional(),
  start: argv.optional(),
  cwd: z.string().min(1).optional(),
  /** A loop session's kickoff after its phase preamble; a scheduled job's prompt. */
  prompt: z.string().optional(),
  profile,
  /** `tmux`: a TUI in a tmux session; `opencode-server`: the newest session titled `title` on an opencode server. */
  backend: z.enum(["tmux", "opencode-server"]).default("tmux"),
  /** opencode-server: the session title (default: `tmux`, the session's name everywhere else). */
  title: z.string().min(1).optional(),
  /** opencode-server: the server; default the top-level `opencode:` block. */
  server: opencodeServer.optional(),
};

interface Backed {
  backend: "tmux" | "opencode-server";
  tmux?: string | undefined;
  title?: string | undefined;
  start?: string[] | undefined;
}

function checkBackend(s: Backed, ctx: z.RefinementCtx): void {
  if (s.backend === "tmux" && s.tmux === undefined) ctx.addIssue({ code: "custom", path: ["tmux"], message: "is required: the tmux session name" });
  if (s.backend === "tmux" && s.start === undefined) ctx.addIssue({ code: "custom", path: ["start"], message: "is required for the tmux backend: the argv that starts the agent" });
  if (s.backend === "opencode-server" && s.title === undefined && s.tmux === undefined) ctx.addIssue({ code: "custom", path: ["title"], message: "is required for the opencode-server backend: the opencode session title" });
}

/** The session's name (the key of pings, actions and the dashboard) stays `tmux`. */
function nameBackend<T extends Backed>(s: T): T & { tmux: string; title: string; start: string[] } {
  return { ...s, tmux: s.tmux ?? s.title ?? "", title: s.title ?? s.tmux ?? "", start: s.start ?? [] };
}

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
        })
        .prefault({}),
      /** Sweeps of every enrolled recipe's default branch (SPEC §17), e.g. [{cron: "0 2 * * *"}]. */
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
        .object({ tmux: z.string().min(1), cwd: z.string().optional(), start: argv, aliveProbe: argv.optional(), profile })
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

/** A loop session or a scheduled job: an agent the bot pings or starts, on either backend. */
export interface AgentConfig extends Backed {
  tmux: string;
  title: string;
  start: string[];
  cwd?: string | undefined;
  server?: OpencodeServerConfig | undefined;
}

/** Every agent the bot may start, with where it is in the file: loop sessions, then scheduled jobs. */
export function agentConfigs(c: Pick<Config, "loops" | "supervisor">): Array<{ path: (string | number)[]; agent: AgentConfig }> {
  return [
    ...c.loops.flatMap((loop, i) => Object.entries(loop.sessions).map(([role, agent]) => ({ path: ["loops", i, "sessions", role], agent }))),
    ...c.supervisor.schedules.map((agent, i) => ({ path: ["supervisor", "schedules", i], agent })),
  ];
}

/** Each opencode-server session needs a server: its own `server:` or the top-level `opencode:`. */
export function opencodeServerIssues(c: Pick<Config, "loops" | "supervisor" | "opencode">): { path: (string | number)[]; message: string }[] {
  return agentConfigs(c)
    .filter(({ agent }) => agent.backend === "opencode-server" && !agent.server && !c.opencode)
    .map(({ path }) => ({ path: [...path, "server"], message: "is required for the opencode-server backend (or a top-level opencode: {url}), e.g. {url: http://127.0.0.1:4096}" }));
}
export type LoopConfig = Config["loops"][number];
export type SessionConfig = LoopConfig["sessions"][string];
export type PhaseConfig = LoopConfig["phases"][number];
