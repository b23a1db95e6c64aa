import { Cron } from "croner";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { CursorStore } from "../store/cursors.ts";
import type { RunMode } from "../store/runs.ts";
import { singleFlight } from "../util/single-flight.ts";
import type { SweepRequest } from "./sweeps.ts";

export interface SweepScheduleDeps {
  schedules: ReadonlyArray<{ cron: string; mode: RunMode }>;
  cursors: Pick<CursorStore, "get" | "set">;
  clock: Clock;
  log: Logger;
  fire: (req: SweepRequest) => Promise<unknown>;
}

/**
 * `testme.schedules` (cron, UTC): each slot starts one sweep. The next slot is persisted, as the
 * supervisor's scheduled jobs do: a slot that passed while the bot was down fires once at the
 * next tick (not once per missed slot), and the next slot is counted from then. The sweep's key
 * names the slot, so a crash between firing and saving the next slot does not sweep twice.
 */
export class SweepSchedule {
  private timer: NodeJS.Timeout | null = null;
  private last: Promise<void> = Promise.resolve();
  private readonly once = singleFlight(() => this.all());

  constructor(private readonly d: SweepScheduleDeps) {}

  start(tickMs: number): void {
    if (this.d.schedules.length === 0) return;
    void this.tick();
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
  }

  /** Fires the schedules whose slot has come; one pass at a time. */
  tick(): Promise<void> {
    return (this.last = this.once());
  }

  /** Stops the timer and waits for a pass in flight (it does not start one). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.last;
  }

  private async all(): Promise<void> {
    for (const s of this.d.schedules) {
      try {
        await this.one(s.cron, s.mode);
      } catch (err) {
        this.d.log.error({ err, cron: s.cron }, "scheduled sweep failed");
      }
    }
  }

  private async one(cron: string, mode: RunMode): Promise<void> {
    const { cursors, clock } = this.d;
    const key = `sweep-schedule:${mode}:${cron}`;
    const now = clock.now();
    const next = () => String(new Cron(cron, { timezone: "UTC", paused: true }).nextRun(new Date(now))?.getTime() ?? "");
    const saved = await cursors.get(key);
    // First sight: the next slot, not one that passed before the schedule was configured.
    if (saved === null) return cursors.set(key, next(), now);
    const slot = Number(saved);
    if (saved === "" || now < slot) return;
    this.d.log.info({ cron, slot: new Date(slot).toISOString(), late: now - slot }, "sweep slot reached");
    await this.d.fire({ key: `schedule:${mode}:${cron}:${slot}`, cause: "schedule", mode, requestedBy: "schedule" });
    await cursors.set(key, next(), now);
  }
}
