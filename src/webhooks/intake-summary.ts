import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";

/**
 * What intake answered, as one info line a minute ("deliveries answered": accepted 12,
 * duplicate 1, ignored 3, rejected_401 2 since ...) instead of a line per delivery. Pino's
 * formatting and write of a per-delivery line cost more than the rest of the bot's own work on
 * an ordinary delivery; where a count says enough, a count it is. Each delivery's own line is
 * still there at debug level, every refusal keeps its info line with its reason, and the stored
 * deliveries (/api/deliveries) hold each one.
 *
 * No timer: the line for a minute is written by the first answer after it, and by flush() at
 * stop, so a quiet bot writes nothing and nothing is left running.
 */
export class IntakeSummary {
  private counts = new Map<string, number>();
  private since: number;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly everyMs = 60_000,
  ) {
    this.since = clock.now();
  }

  count(outcome: string): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
    const now = this.clock.now();
    if (now - this.since >= this.everyMs) this.flush(now);
  }

  /** Writes the line for what was counted so far, if anything was. */
  flush(now = this.clock.now()): void {
    if (this.counts.size > 0) {
      this.log.info({ since: new Date(this.since).toISOString(), ...Object.fromEntries(this.counts) }, "deliveries answered");
      this.counts = new Map();
    }
    this.since = now;
  }
}
