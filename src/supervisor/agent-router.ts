import type { AgentSessions, AgentState, SubmitResult } from "./agent-sessions.ts";

/**
 * One AgentSessions over several backends: each configured session name goes to the backend it
 * runs on (an opencode server), every other name to the default (tmux). The supervisor and the
 * messenger see one port and never learn which backend acts.
 */
export class AgentRouter implements AgentSessions {
  constructor(
    private readonly fallback: AgentSessions,
    private readonly routes: ReadonlyMap<string, AgentSessions>,
    /** Set when the default backend cannot run here (tmux is not installed): its sessions are an alert, their pings undeliverable. */
    private readonly fallbackUnavailable?: string,
  ) {}

  /** Whether `name` runs on a backend of its own (not the default one). */
  routed(name: string): boolean {
    return this.routes.has(name);
  }

  async state(name: string): Promise<AgentState> {
    if (this.down(name)) return { kind: "absent", lastReply: null, activity: null, detail: this.fallbackUnavailable, alert: { kind: "server-down", message: this.fallbackUnavailable! } };
    return this.backend(name).state(name);
  }

  async submit(name: string, text: string): Promise<SubmitResult> {
    if (this.down(name)) return { taken: false, attempts: 0, later: false, detail: this.fallbackUnavailable! };
    return this.backend(name).submit(name, text);
  }

  startFresh(name: string, kickoff: string | undefined): Promise<void> {
    return this.backend(name).startFresh(name, kickoff);
  }

  stop(name: string): Promise<void> {
    return this.backend(name).stop(name);
  }

  private down(name: string): boolean {
    return this.fallbackUnavailable !== undefined && !this.routes.has(name);
  }

  private backend(name: string): AgentSessions {
    return this.routes.get(name) ?? this.fallback;
  }
}
