import { agentConfigs } from "../../config/agent-schema.ts";
import type { Config } from "../../config/schema.ts";
import type { Logger } from "../../log.ts";
import type { AgentSessions } from "../agent-sessions.ts";
import { OpencodeClient } from "./client.ts";
import { OpencodeSessions } from "./opencode-sessions.ts";

export interface OpencodeAgents {
  /** Session name → its backend, for every loop session and scheduled job with `backend: opencode-server`. */
  sessions: Map<string, AgentSessions>;
  /** The servers' passwords, for the log redactor. */
  secrets: string[];
  /** Problems to tell the operator once at startup (a password variable that is not set). */
  warnings: string[];
}

/** The opencode servers' passwords (from the environment), so the log redactor hides them. */
export function opencodePasswords(config: Pick<Config, "loops" | "supervisor" | "opencode">, env: NodeJS.ProcessEnv): string[] {
  const servers = [config.opencode, ...agentConfigs(config).map(({ agent }) => agent.server)];
  return servers.flatMap((s) => (s?.passwordEnv && env[s.passwordEnv] ? [env[s.passwordEnv]!] : []));
}

/**
 * Builds the opencode-server backend of each configured session: its server (own or the
 * top-level `opencode:`), the password from the environment variable the config names, the
 * session's cwd as the opencode project directory, and its title.
 */
export function opencodeAgents(config: Pick<Config, "loops" | "supervisor" | "opencode">, env: NodeJS.ProcessEnv, log: Logger): OpencodeAgents {
  const out: OpencodeAgents = { sessions: new Map(), secrets: [], warnings: [] };
  for (const { agent: s } of agentConfigs(config)) {
    if (s.backend !== "opencode-server") continue;
    const server = s.server ?? config.opencode;
    if (!server) continue; // refused by the config loader
    const password = server.passwordEnv ? env[server.passwordEnv] : undefined;
    if (server.passwordEnv && !password) out.warnings.push(`${server.passwordEnv} is not set: the opencode server at ${server.url} will be asked without a password`);
    if (password) out.secrets.push(password);
    const client = new OpencodeClient({ url: server.url, password, username: server.username, directory: s.cwd, timeoutMs: server.timeoutSeconds * 1000 });
    out.sessions.set(s.session, new OpencodeSessions({ client, log: log.child({ backend: "opencode-server", session: s.session }), titles: new Map([[s.session, s.title]]) }));
  }
  return out;
}
