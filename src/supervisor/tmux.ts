import { rmSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";

export interface TmuxOptions {
  /** A tmux server socket name (-L): tests and demos use their own server. */
  socketName?: string | undefined;
  /**
   * The environment of tmux commands, and so of a server the bot starts and of every session
   * in it: the caller leaves its secrets out (util/child-env.ts withoutSecrets). Default: the
   * bot's own.
   */
  env?: Record<string, string> | undefined;
}

export interface StartSpec {
  cwd?: string | undefined;
  argv: readonly string[];
  env?: Record<string, string> | undefined;
}

/**
 * The tmux commands the bot uses, as argv arrays (no shell). Sessions are always targeted by
 * exact name (`=NAME`): a prefix match would send `cc-ci-assistant`'s ping to
 * `cc-ci-assistant3`.
 */
export class Tmux {
  constructor(private readonly o: TmuxOptions = {}) {}

  async available(): Promise<boolean> {
    try {
      await execa("tmux", ["-V"]);
      return true;
    } catch {
      return false;
    }
  }

  async hasSession(name: string): Promise<boolean> {
    return (await this.run(["has-session", "-t", `=${name}`], true)).ok;
  }

  /** Starts a detached session running `argv` directly (tmux execs multiple arguments without a shell). */
  async newSession(name: string, spec: StartSpec): Promise<void> {
    const env = Object.entries(spec.env ?? {}).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
    const cwd = spec.cwd ? ["-c", spec.cwd] : [];
    await this.run(["new-session", "-d", "-s", name, "-x", "200", "-y", "50", ...cwd, ...env, "--", ...spec.argv]);
  }

  async killSession(name: string): Promise<void> {
    await this.run(["kill-session", "-t", `=${name}`], true);
  }

  /** Types `text` literally: key names such as "Enter" or "C-c" inside it are just letters. */
  async type(name: string, text: string): Promise<void> {
    await this.run(["send-keys", "-t", `=${name}:`, "-l", "--", text]);
  }

  async pressEnter(name: string): Promise<void> {
    await this.run(["send-keys", "-t", `=${name}:`, "Enter"]);
  }

  /**
   * Types `text` literally, waits `waitMs` inside tmux for the TUI to draw it, then reads the
   * pane: one tmux invocation for all three (each one costs a process start, 5-30 ms, on the path
   * from a push to its ping). Null when the session is gone.
   */
  async typeAndCapture(name: string, text: string, waitMs: number): Promise<string | null> {
    return this.thenCapture(name, [["send-keys", "-t", `=${name}:`, "-l", "--", text], ...pause(waitMs)]);
  }

  /**
   * Presses Enter as a command of its own (never in the command that types the text: Claude Code
   * swallows an Enter that arrives with a long text, docs/design.md#agents-as-they-really-are), waits `waitMs` inside tmux for
   * the TUI to take it, then reads the pane: one invocation. Null when the session is gone.
   */
  async enterAndCapture(name: string, waitMs: number): Promise<string | null> {
    return this.thenCapture(name, [["send-keys", "-t", `=${name}:`, "Enter"], ...pause(waitMs)]);
  }

  /** Presses named keys (`Escape`, `C-u`), each its own key press; never text. */
  async keys(name: string, keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.run(["send-keys", "-t", `=${name}:`, ...keys]);
  }

  /** The visible pane as text, trailing blank lines removed. */
  async capture(name: string): Promise<string> {
    const pane = await this.captureIfPresent(name);
    if (pane === null) throw new Error(`tmux capture-pane failed: no session ${name}`);
    return pane;
  }

  /** The pane's text, or null when there is no such session (one tmux call for both questions). */
  async captureIfPresent(name: string): Promise<string | null> {
    const r = await this.run(["capture-pane", "-p", "-J", "-t", `=${name}:`], true);
    return r.ok ? r.stdout.replace(/\s+$/, "") : null;
  }

  /** Runs `commands` and then capture-pane in one invocation; the pane, or null when any of them failed. */
  private async thenCapture(name: string, commands: string[][]): Promise<string | null> {
    const r = await this.run(sequence([...commands, ["capture-pane", "-p", "-J", "-t", `=${name}:`]]), true);
    return r.ok ? r.stdout.replace(/\s+$/, "") : null;
  }

  /** Ends the server; for a server of its own (-L), also its socket file, which tmux 3.3 leaves behind. */
  async killServer(): Promise<void> {
    await this.run(["kill-server"], true);
    if (this.o.socketName) rmSync(this.socketPath(this.o.socketName), { force: true });
  }

  /** Where tmux puts a named server's socket: $TMUX_TMPDIR (else /tmp), tmux-<uid>/<name>. */
  private socketPath(name: string): string {
    const env = this.o.env ?? process.env;
    return join(env.TMUX_TMPDIR || "/tmp", `tmux-${process.getuid?.() ?? 0}`, name);
  }

  private async run(args: string[], tolerate = false): Promise<{ ok: boolean; stdout: string }> {
    const socket = this.o.socketName ? ["-L", this.o.socketName] : [];
    const env = this.o.env ? { env: this.o.env, extendEnv: false } : {};
    const r = await execa("tmux", [...socket, ...args], { reject: false, timeout: 10_000, ...env });
    if (r.exitCode !== 0 && !tolerate) throw new Error(`tmux ${args[0]} failed: ${(r.stderr || r.stdout || `exit ${r.exitCode}`).split("\n")[0]}`);
    return { ok: r.exitCode === 0, stdout: r.stdout };
  }
}

/** A wait inside a tmux command sequence (nothing when `ms` is 0): the commands after it run later. */
function pause(ms: number): string[][] {
  return ms > 0 ? [["run-shell", "-d", (ms / 1000).toFixed(3)]] : [];
}

/**
 * Several tmux commands as one argv, separated by ";" elements (no shell involved). tmux ends a
 * command at any argument that ends with ";", so such an argument (a typed text ending in ";")
 * has its last ";" escaped: tmux turns a trailing `\;` back into ";" and keeps the argument.
 */
export function sequence(commands: readonly string[][]): string[] {
  return commands.flatMap((c, i) => [...(i > 0 ? [";"] : []), ...c.map((a) => (a.endsWith(";") ? `${a.slice(0, -1)}\\;` : a))]);
}
