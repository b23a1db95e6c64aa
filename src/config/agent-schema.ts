import { z } from "zod";

// The agents of the configuration (docs/design.md#configuration): loop sessions and scheduled jobs share these
// fields and run on either backend, tmux or an opencode server.

export const argv = z.array(z.string().min(1)).min(1, "must name a command: an argv array such as [\"/usr/local/bin/run\"]");

/** How the tmux backend reads the session's screen; default: read from the screen (Claude Code, opencode, else generic). */
export const profile = z.enum(["claude-code", "opencode", "generic"]).optional();

/** An opencode server (`opencode serve`) the `opencode-server` backend talks to. */
export const opencodeServer = z.object({
  url: z.url("must be the opencode server's base URL, e.g. http://127.0.0.1:4096").transform((u) => u.replace(/\/+$/, "")),
  /** The environment variable holding its OPENCODE_SERVER_PASSWORD (never the password itself). */
  passwordEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must name an environment variable, e.g. OPENCODE_SERVER_PASSWORD").optional(),
  /** The server's OPENCODE_SERVER_USERNAME; opencode's default is "opencode". */
  username: z.string().min(1).optional(),
  timeoutSeconds: z.number().positive().max(300).default(10),
});
export type OpencodeServerConfig = z.infer<typeof opencodeServer>;

/** An agent and where it runs, for loop sessions and scheduled jobs alike. */
export const agentFields = {
  /** The session's name: the tmux session, the opencode session's title by default, the key of its pings and actions. */
  session: z.string().min(1).optional(),
  /** The old name of `session` (deprecated; still read). */
  tmux: z.string().min(1).optional(),
  start: argv.optional(),
  cwd: z.string().min(1).optional(),
  /** A loop session's kickoff after its phase preamble; a scheduled job's prompt. */
  prompt: z.string().optional(),
  profile,
  /** `tmux`: a TUI in a tmux session; `opencode-server`: the newest session titled `title` on an opencode server. */
  backend: z.enum(["tmux", "opencode-server"]).default("tmux"),
  /** opencode-server: the session title (default: `session`). */
  title: z.string().min(1).optional(),
  /** opencode-server: the server; default the top-level `opencode:` block. */
  server: opencodeServer.optional(),
};

export interface Backed {
  backend: "tmux" | "opencode-server";
  session?: string | undefined;
  tmux?: string | undefined;
  title?: string | undefined;
  start?: string[] | undefined;
}

export function checkBackend(s: Backed, ctx: z.RefinementCtx): void {
  checkSessionName(s, ctx);
  if (s.backend === "tmux" && s.session === undefined && s.tmux === undefined) ctx.addIssue({ code: "custom", path: ["session"], message: "is required: the session's name (its tmux session)" });
  if (s.backend === "tmux" && s.start === undefined) ctx.addIssue({ code: "custom", path: ["start"], message: "is required for the tmux backend: the argv that starts the agent" });
  if (s.backend === "opencode-server" && s.title === undefined && s.session === undefined && s.tmux === undefined) ctx.addIssue({ code: "custom", path: ["title"], message: "is required for the opencode-server backend: the opencode session title (or session:)" });
}

/** `tmux:` is the old name of `session:`: both may not name different sessions. */
export function checkSessionName(s: { session?: string | undefined; tmux?: string | undefined }, ctx: z.RefinementCtx): void {
  if (s.session !== undefined && s.tmux !== undefined && s.session !== s.tmux) ctx.addIssue({ code: "custom", path: ["tmux"], message: "is the old name of session: give only session:" });
}

/** The session's name is the key of its pings, actions and dashboard row, on either backend. */
export function nameBackend<T extends Backed>({ tmux, ...s }: T): Omit<T, "tmux"> & { session: string; title: string; start: string[] } {
  const session = s.session ?? tmux ?? s.title ?? "";
  return { ...s, session, title: s.title ?? session, start: s.start ?? [] };
}

/** A loop session or a scheduled job: an agent the bot pings or starts, on either backend. */
export interface AgentConfig extends Omit<Backed, "tmux"> {
  session: string;
  title: string;
  start: string[];
  cwd?: string | undefined;
  server?: OpencodeServerConfig | undefined;
}

/** The parts of the configuration that hold agents (schema.ts builds on this file, not the reverse). */
export interface AgentsInConfig {
  loops: ReadonlyArray<{ sessions: Readonly<Record<string, AgentConfig>> }>;
  supervisor: { schedules: readonly AgentConfig[] };
  opencode?: OpencodeServerConfig | undefined;
}

/** Every agent the bot may start, with where it is in the file: loop sessions, then scheduled jobs. */
export function agentConfigs(c: Pick<AgentsInConfig, "loops" | "supervisor">): Array<{ path: (string | number)[]; agent: AgentConfig }> {
  return [
    ...c.loops.flatMap((loop, i) => Object.entries(loop.sessions).map(([role, agent]) => ({ path: ["loops", i, "sessions", role], agent }))),
    ...c.supervisor.schedules.map((agent, i) => ({ path: ["supervisor", "schedules", i], agent })),
  ];
}

/** Each opencode-server session needs a server: its own `server:` or the top-level `opencode:`. */
export function opencodeServerIssues(c: AgentsInConfig): { path: (string | number)[]; message: string }[] {
  return agentConfigs(c)
    .filter(({ agent }) => agent.backend === "opencode-server" && !agent.server && !c.opencode)
    .map(({ path }) => ({ path: [...path, "server"], message: "is required for the opencode-server backend (or a top-level opencode: {url}), e.g. {url: http://127.0.0.1:4096}" }));
}
