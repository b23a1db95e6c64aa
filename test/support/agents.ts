import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Tmux } from "../../src/supervisor/tmux.ts";

export const FAKE_AGENT = new URL("../../src/demo/fake-agent.mjs", import.meta.url).pathname;

/** A private tmux server for one test file, and fake agents in it. */
export class Agents {
  readonly socket = `ccci-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  readonly tmux = new Tmux({ socketName: this.socket });

  constructor(private readonly dir: string) {}

  logOf(session: string): string {
    return join(this.dir, `${session}.log`);
  }

  /** The argv that starts a fake agent logging to this session's log file. */
  argv(session: string, ...flags: string[]): string[] {
    return [process.execPath, FAKE_AGENT, this.logOf(session), ...flags];
  }

  async start(session: string, ...flags: string[]): Promise<void> {
    await this.tmux.newSession(session, { argv: this.argv(session, ...flags) });
    await this.ready(session);
  }

  async ready(session: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const pane = await this.tmux.capture(session).catch(() => "");
      if (/> $|> \S/.test(pane.split("\n").at(-1) ?? "") || pane.endsWith(">")) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`fake agent in ${session} did not start`);
  }

  /** The lines the agent received (submitted), in order. */
  received(session: string): string[] {
    const file = this.logOf(session);
    if (!existsSync(file)) return [];
    return complete(file).map((l) => (JSON.parse(l) as { text: string }).text);
  }

  receivedAt(session: string): number[] {
    const file = this.logOf(session);
    if (!existsSync(file)) return [];
    return complete(file).map((l) => (JSON.parse(l) as { t: number }).t);
  }

  /** How many times the agent of this session has started. */
  starts(session: string): number {
    const file = `${this.logOf(session)}.starts`;
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).length : 0;
  }

  showFile(session: string): string {
    return join(this.dir, `${session}.show`);
  }

  /** Puts a line on the session's pane (the agent was started with --show) and waits for it. */
  async show(session: string, line: string): Promise<void> {
    appendFileSync(this.showFile(session), `${line}\n`);
    const deadline = Date.now() + 5000;
    while (!(await this.tmux.capture(session)).includes(line)) {
      if (Date.now() > deadline) throw new Error(`"${line}" never showed on ${session}`);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  async close(): Promise<void> {
    await this.tmux.killServer();
  }
}

/** The log's complete lines: the agent may be writing the last one while it is read. */
function complete(file: string): string[] {
  return readFileSync(file, "utf8").split("\n").slice(0, -1).filter(Boolean);
}
