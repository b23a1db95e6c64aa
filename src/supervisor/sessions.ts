import type { Logger } from "../log.ts";
import type { AgentSessions } from "./agent-sessions.ts";

export interface SessionSpec {
  tmux: string;
  cwd?: string | undefined;
  start: readonly string[];
  /** How the kickoff prompt reaches the agent: as the last argument, or typed once it is up. */
  promptVia: "argument" | "typed";
}

export interface SessionControlOptions {
  agents: Pick<AgentSessions, "state" | "startFresh" | "stop">;
  /** Pings that queued while a session was away can go once it is back. */
  wake: () => void;
  log: Logger;
}

/** Starts and stops agent sessions by their configuration; phase transitions build on it. */
export class SessionControl {
  constructor(private readonly o: SessionControlOptions) {}

  async isRunning(name: string): Promise<boolean> {
    return (await this.o.agents.state(name)).kind !== "absent";
  }

  async start(s: { session: string }, kickoff?: string): Promise<void> {
    await this.o.agents.startFresh(s.session, kickoff);
    this.o.wake();
  }

  async stop(name: string): Promise<void> {
    await this.o.agents.stop(name);
  }

  async restart(s: { session: string }, kickoff?: string): Promise<void> {
    await this.start(s, kickoff);
  }
}
