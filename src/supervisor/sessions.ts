import type { Logger } from "../log.ts";
import type { Messenger } from "./messenger.ts";
import { sanitizePing } from "./sanitize.ts";
import type { Tmux } from "./tmux.ts";

export interface SessionSpec {
  tmux: string;
  cwd?: string | undefined;
  start: readonly string[];
  /** How the kickoff prompt reaches the agent: as the last argument, or typed once it is up. */
  promptVia: "argument" | "typed";
}

export interface SessionControlOptions {
  tmux: Pick<Tmux, "hasSession" | "newSession" | "killSession" | "capture">;
  messenger: Pick<Messenger, "submit" | "wake">;
  log: Logger;
  /** How long a freshly started TUI may take to draw before its kickoff is typed. */
  readyTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Starts and stops agent sessions; phase transitions and the supervisor build on it. */
export class SessionControl {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: SessionControlOptions) {
    this.sleep = o.sleep ?? realSleep;
  }

  isRunning(name: string): Promise<boolean> {
    return this.o.tmux.hasSession(name);
  }

  async start(s: SessionSpec, kickoff?: string): Promise<void> {
    const prompt = kickoff === undefined ? undefined : sanitizePing(kickoff, 4000);
    const argv = prompt !== undefined && s.promptVia === "argument" ? [...s.start, prompt] : [...s.start];
    await this.o.tmux.newSession(s.tmux, { cwd: s.cwd, argv });
    this.o.log.info({ session: s.tmux, kickoff: prompt !== undefined }, "session started");
    if (prompt !== undefined && s.promptVia === "typed") {
      await this.waitUntilDrawn(s.tmux);
      const r = await this.o.messenger.submit(s.tmux, prompt);
      if (!r.submitted) this.o.log.warn({ session: s.tmux, reason: r.reason }, "kickoff was typed but not submitted");
    }
    // Pings that queued while the session was away can go now.
    this.o.messenger.wake();
  }

  async stop(name: string): Promise<void> {
    await this.o.tmux.killSession(name);
    this.o.log.info({ session: name }, "session stopped");
  }

  async restart(s: SessionSpec, kickoff?: string): Promise<void> {
    await this.stop(s.tmux);
    // tmux may still be tearing the old session down; a new one of the same name must wait.
    for (let i = 0; i < 50 && (await this.o.tmux.hasSession(s.tmux)); i++) await this.sleep(20);
    await this.start(s, kickoff);
  }

  /** Waits until the pane shows something and has stopped changing, within a bound. */
  private async waitUntilDrawn(name: string): Promise<void> {
    const deadline = Date.now() + (this.o.readyTimeoutMs ?? 15_000);
    let last = "";
    while (Date.now() < deadline) {
      const pane = await this.o.tmux.capture(name).catch(() => "");
      if (pane.trim() !== "" && pane === last) return;
      last = pane;
      await this.sleep(150);
    }
  }
}
