/**
 * Agent sessions behind one port (docs/design.md#agents-as-they-really-are).
 *
 * The supervisor and the messenger decide (when to heal, when a limit window ends, what a ping
 * says); a backend only reports what a session is doing and carries out what it is told. Two
 * backends implement it: `tmux` (a TUI in a tmux session, read through a per-TUI profile) and
 * `opencode-server` (sessions on an opencode server, over HTTP). Sessions are named as in the
 * configuration (the tmux session name, or the opencode session title); the backend knows each
 * session's start command / kickoff delivery from its own configuration.
 */

export type AgentStateKind =
  /** No such session (tmux session gone; no opencode session with that title). */
  | "absent"
  /** Up and waiting for a prompt. */
  | "idle"
  /** A turn is running (or the agent retries a transient error by itself): leave it alone. */
  | "busy"
  /** Rate or usage limit: no healing until `limitResetAt` (or probe when it is unknown). */
  | "limit"
  /** A state only a fresh start cures (e.g. the `redacted_thinking` 400 on the last turn). */
  | "fatal"
  /** The agent's last reply ends in `WAITING-UNTIL: <ISO-8601 UTC>`: it will wake itself. */
  | "waiting";

/**
 * Something only the operator can fix. While a state carries an alert the supervisor raises it
 * (once per kind and session) and does not start or restart the session: a restart cannot help,
 * and doing it every tick would be a restart loop.
 */
export interface AgentAlert {
  /** `credentials`: the agent's credentials are refused (`Invalid API key`); `server-down`: the backend's server does not answer. */
  kind: "credentials" | "server-down";
  /** One line for the operator; never contains a secret. */
  message: string;
}

export interface AgentState {
  kind: AgentStateKind;
  /** The agent's last reply (text after the last submitted prompt), when one can be read. */
  lastReply: string | null;
  /** `limit`: when the window ends (epoch ms), or null when the agent did not say (probe every 5 min). */
  limitResetAt?: number | null | undefined;
  /** `waiting`: the time named by `WAITING-UNTIL` (epoch ms). */
  waitingUntil?: number | undefined;
  /** `fatal`: the error line or message that makes it fatal. */
  fatalReason?: string | undefined;
  /** Set when only the operator can help (see AgentAlert); the kind still says what is seen. */
  alert?: AgentAlert | undefined;
  /**
   * A fingerprint of the session's visible activity (a hash of the screen, the time of the
   * newest message): when it stays the same for the idle time, the session has stalled.
   */
  activity: string | null;
  /** The line the reading rests on (banner, error, status), for the supervisor's record. */
  detail?: string | undefined;
}

export type SubmitResult =
  /** The prompt was taken: submitted now, or queued by the agent to run after the current turn. */
  | { taken: true; attempts: number; detail?: string | undefined }
  /**
   * Not taken. `later`: the session cannot take it now (absent, busy, a menu that would not
   * close): keep the ping queued and try again. Otherwise it was tried and failed: undeliverable.
   */
  | { taken: false; attempts: number; detail: string; later: boolean };

export interface AgentSessions {
  /** What the session is doing now. Never throws for an unreachable backend: `absent` + alert instead. */
  state(name: string): Promise<AgentState>;
  /** Delivers one line of sanitized text as the session's next prompt. */
  submit(name: string, text: string): Promise<SubmitResult>;
  /** Stops the session if it runs and starts it again with `kickoff` as its first prompt (none: no prompt). */
  startFresh(name: string, kickoff: string | undefined): Promise<void>;
  /** Stops the session; a session that does not run is not an error. */
  stop(name: string): Promise<void>;
}
