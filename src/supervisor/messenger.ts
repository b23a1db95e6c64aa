import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Ping, PingStore } from "../store/pings.ts";
import { LaneRunner, LaneWorker } from "../util/lane-runner.ts";
import type { Tmux } from "./tmux.ts";

export interface MessengerOptions {
  tmux: Pick<Tmux, "captureIfPresent" | "type" | "pressEnter" | "capture">;
  /** False when tmux is not installed: pings are recorded as undeliverable, visibly. */
  tmuxAvailable: boolean;
  store: PingStore;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, "pings" | "pingLatency">;
  /** Marks the TUI's input line; default: the last non-empty line of the pane. */
  inputLine?: RegExp | undefined;
  /** A pane showing this is busy: the ping waits. */
  busy: readonly RegExp[];
  /** Waits before each check of the input line; an Enter is pressed again after each. */
  enterBackoffMs?: readonly number[];
  /** How soon an absent or busy session is tried again. */
  retryMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type SubmitResult = { submitted: true; attempts: number } | { submitted: false; attempts: number; reason: string };

const DEFAULT_BACKOFF = [25, 50, 100, 200, 400, 800];
const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Delivers pings into agent sessions (SPEC §3). Text is typed literally, then Enter; a TUI
 * often swallows that Enter while it ingests the paste, so the pane's input line is checked
 * and, while the typed text still sits there, Enter is pressed again with backoff, up to a
 * bound. The transcript above the input line repeating the text is not a failure. Pings to
 * an absent or busy session stay queued (durably) and go out when it is back.
 */
export class Messenger extends LaneWorker {
  protected readonly runner: LaneRunner;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: MessengerOptions) {
    super();
    this.sleep = o.sleep ?? realSleep;
    this.runner = new LaneRunner({
      concurrency: 8,
      pollMs: o.retryMs ?? 2000,
      next: async (free, busy) =>
        (await o.store.due(o.clock.now(), free, busy)).map((p) => ({ id: String(p.seq), lane: p.session ?? "", run: () => this.deliver(p) })),
      onError: (err, job) => o.log.error({ err, ping: job.id }, "ping delivery failed unexpectedly"),
    });
  }

  /** Types one line into a session and makes sure it was submitted. */
  async submit(session: string, text: string): Promise<SubmitResult> {
    const { tmux } = this.o;
    await tmux.type(session, text);
    await tmux.pressEnter(session);
    let attempts = 1;
    const backoff = this.o.enterBackoffMs ?? DEFAULT_BACKOFF;
    for (const [i, wait] of backoff.entries()) {
      await this.sleep(wait);
      if (!this.stillTyped(await tmux.capture(session), text)) return { submitted: true, attempts };
      if (i === backoff.length - 1) break;
      await tmux.pressEnter(session);
      attempts++;
    }
    return { submitted: false, attempts, reason: `the text stayed on the input line after ${attempts} Enter presses` };
  }

  private async deliver(p: Ping): Promise<void> {
    const { store, clock, tmux, metrics } = this.o;
    const log = this.o.log.child({ ping: p.seq, session: p.session, role: p.role });
    const give = async (error: string) => {
      await store.undeliverable(p.seq, p.attempts, error, clock.now());
      metrics.pings.inc({ role: p.role, outcome: "undeliverable" });
      log.warn({ error }, "ping not deliverable");
    };
    if (p.session === null) return give(`no session is configured for role ${p.role}`);
    if (!this.o.tmuxAvailable) return give("tmux is not installed on this machine");
    const pane = await tmux.captureIfPresent(p.session);
    if (pane === null) return this.later(p, "session absent");
    if (this.o.busy.some((b) => b.test(lastLines(pane, 5)))) return this.later(p, "session busy");

    const result = await this.submit(p.session, p.text);
    const attempts = p.attempts + result.attempts;
    if (!result.submitted) return give(result.reason);
    const now = clock.now();
    await store.delivered(p.seq, attempts, now);
    metrics.pings.inc({ role: p.role, outcome: "delivered" });
    metrics.pingLatency.observe(Math.max(0, now - p.receivedAt) / 1000);
    log.info({ attempts, latencyMs: now - p.receivedAt }, "ping delivered");
  }

  private async later(p: Ping, why: string): Promise<void> {
    const delay = this.o.retryMs ?? 2000;
    await this.o.store.retryLater(p.seq, p.attempts, this.o.clock.now() + delay, why);
    this.runner.wakeIn(delay);
  }

  /** Whether the input line still holds (the end of) the typed text. */
  private stillTyped(pane: string, text: string): boolean {
    const lines = pane.split("\n").filter((l) => l.trim() !== "");
    const input = this.o.inputLine ? [...lines].reverse().find((l) => this.o.inputLine!.test(l)) : lines.at(-1);
    if (input === undefined) return false;
    const tail = text.slice(-Math.min(24, text.length)).trim();
    return tail !== "" && input.includes(tail);
  }
}

function lastLines(pane: string, n: number): string {
  return pane.split("\n").filter((l) => l.trim() !== "").slice(-n).join("\n");
}
