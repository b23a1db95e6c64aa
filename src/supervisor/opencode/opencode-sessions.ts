import type { Logger } from "../../log.ts";
import type { AgentSessions, AgentState, SubmitResult } from "../agent-sessions.ts";
import { sanitizePing } from "../../loops/sanitize.ts";
import { OpencodeClient, OpencodeHttpError, OpencodeUnreachable, type OpencodeSession } from "./client.ts";
import { readState } from "./read-state.ts";

export interface OpencodeSessionsOptions {
  client: Pick<OpencodeClient, "url" | "sessions" | "createSession" | "promptAsync" | "status" | "messages" | "abort">;
  log: Logger;
  /** Session name (as configured) → the opencode session title; default: the name itself. */
  titles?: ReadonlyMap<string, string>;
  /** How long a taken prompt may take to show on the server. */
  showTimeoutMs?: number;
  /** How many of the newest messages are read to know the last turn. */
  recentMessages?: number;
}

/**
 * The `opencode-server` backend (docs/design.md#agents-as-they-really-are): a session is the newest opencode session with a given
 * title on one opencode server (the loops attach with `opencode run --attach URL --title NAME`, so
 * several may share a title; the newest is the live one). A prompt goes through the HTTP API and
 * is queued by the server behind a running turn — nothing is typed. A fresh start is a new
 * session with that title and the kickoff as its first prompt. A server that does not answer is
 * an operator alert, never a reason to restart anything.
 */
export class OpencodeSessions implements AgentSessions {
  constructor(private readonly o: OpencodeSessionsOptions) {}

  async state(name: string): Promise<AgentState> {
    try {
      const session = await this.find(name);
      if (!session) return { kind: "absent", lastReply: null, activity: null, detail: `no opencode session titled "${this.title(name)}" on ${this.o.client.url}` };
      const [status, messages] = await Promise.all([this.o.client.status(), this.o.client.messages(session.id, this.o.recentMessages ?? 20)]);
      return readState(session, status[session.id], messages, Date.now());
    } catch (err) {
      return this.unreachable(err);
    }
  }

  async submit(name: string, text: string): Promise<SubmitResult> {
    const prompt = sanitizePing(text, 4000);
    try {
      const session = await this.find(name);
      if (!session) return { taken: false, attempts: 0, later: true, detail: `no opencode session titled "${this.title(name)}"` };
      await this.prompt(session.id, prompt);
      return { taken: true, attempts: 1, detail: `queued on ${session.id}` };
    } catch (err) {
      // Unreachable, 5xx, or the session vanished between the two calls (404): try again later.
      const later = err instanceof OpencodeUnreachable || (err instanceof OpencodeHttpError && (err.status >= 500 || err.status === 404));
      return { taken: false, attempts: 1, later, detail: (err as Error).message };
    }
  }

  async startFresh(name: string, kickoff: string | undefined): Promise<void> {
    await this.stop(name);
    const session = await this.o.client.createSession(this.title(name));
    if (kickoff !== undefined) await this.prompt(session.id, sanitizePing(kickoff, 4000));
    this.o.log.info({ session: name, id: session.id, kickoff: kickoff !== undefined }, "opencode session started");
  }

  /** Aborts the live session's running turn; the session itself stays on the server (its history). */
  async stop(name: string): Promise<void> {
    const session = await this.find(name);
    if (!session) return;
    const status = await this.o.client.status();
    if (status[session.id]) await this.o.client.abort(session.id);
    this.o.log.info({ session: name, id: session.id }, "opencode session stopped");
  }

  /**
   * `prompt_async` answers 204 before the prompt shows anywhere (a new project's first turn
   * takes seconds to start): wait, bounded, until the server shows it (a status entry or a new
   * newest message), so a state read right after never mistakes the session for idle.
   */
  private async prompt(id: string, text: string): Promise<void> {
    const before = (await this.o.client.messages(id, 1)).at(-1)?.info.id;
    await this.o.client.promptAsync(id, text);
    const deadline = Date.now() + (this.o.showTimeoutMs ?? 15_000);
    while (Date.now() < deadline) {
      if ((await this.o.client.status())[id]) return;
      if ((await this.o.client.messages(id, 1)).at(-1)?.info.id !== before) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    this.o.log.warn({ id }, "opencode took the prompt but does not show it yet");
  }

  private title(name: string): string {
    return this.o.titles?.get(name) ?? name;
  }

  /** The newest session whose title is exactly the session's (the server's search matches substrings). */
  private async find(name: string): Promise<OpencodeSession | undefined> {
    const title = this.title(name);
    return (await this.o.client.sessions(title)).find((s) => s.title === title);
  }

  private unreachable(err: unknown): AgentState {
    const message = (err as Error).message;
    if (err instanceof OpencodeUnreachable) return { kind: "absent", lastReply: null, activity: null, detail: message, alert: { kind: "server-down", message } };
    if (err instanceof OpencodeHttpError && err.status === 401) return { kind: "absent", lastReply: null, activity: null, detail: message, alert: { kind: "credentials", message } };
    // Anything else (a 5xx, an answer of an unexpected shape) is the server's trouble too.
    return { kind: "absent", lastReply: null, activity: null, detail: message, alert: { kind: "server-down", message: `opencode server at ${this.o.client.url}: ${message.split("\n")[0]}` } };
  }
}
