import { createHash } from "node:crypto";
import { Cron } from "croner";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { SessionState, SupervisorStore } from "../store/supervisor.ts";
import { singleFlight } from "../util/single-flight.ts";
import type { Messenger } from "./messenger.ts";
import { BOT_MARK, readPane, resetTime, waitingUntil, type PanePatterns } from "./pane.ts";
import type { SessionControl, SessionSpec } from "./sessions.ts";
import type { Tmux } from "./tmux.ts";

export interface ManagedSession {
  spec: SessionSpec;
  kind: "loop" | "orchestrator" | "scheduled";
  /** The prompt a fresh start gets (a loop's phase preamble, a job's prompt). */
  kickoff: () => Promise<string | undefined>;
  /** Orchestrator: a command that exits 0 when an orchestrator runs anywhere (a hand-launched one). */
  aliveProbe?: readonly string[] | undefined;
  /** Scheduled jobs. */
  cron?: string | undefined;
  mode?: "start" | "fresh" | undefined;
  /** False while the session should not run (a loop whose phase sequence is complete). */
  enabled?: () => Promise<boolean>;
}

export interface SupervisorOptions {
  sessions: readonly ManagedSession[];
  tmux: Pick<Tmux, "captureIfPresent">;
  control: Pick<SessionControl, "start" | "restart">;
  messenger: Pick<Messenger, "submit">;
  store: SupervisorStore;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, "supervisorActions">;
  patterns: PanePatterns;
  stallGraceMs: number;
  stallIdleMs: number;
  probe: (argv: readonly string[]) => Promise<boolean>;
}

/** After a limit window, this is typed; it never matches a limit pattern. */
export const NUDGE = `${BOT_MARK} The usage window should be open again now: please continue where you left off.`;
const LIMIT_MARGIN_MS = 45_000;
const PROBE_EVERY_MS = 5 * 60_000;
const LOUD_AFTER_PROBES = 3;

/**
 * The residual timer (SPEC §5): the only periodic look at the agent sessions. Each tick, per
 * session: paused → nothing; inside a limit window → nothing at all, then one nudge; dead →
 * start; fatal → start fresh; a limit banner → arm a window until its reset (+45 s), or probe
 * every 5 minutes when the time cannot be read; busy → leave alone; stalled past its own
 * WAITING-UNTIL (+ grace), or with a pane unchanged for the idle time → restart. Scheduled
 * jobs fire once per cron slot (UTC), even across restarts of the bot. State is persisted.
 */
export class Supervisor {
  private timer: NodeJS.Timeout | null = null;
  /** One tick at a time. */
  readonly tick = singleFlight(() => this.all());

  constructor(private readonly o: SupervisorOptions) {}

  start(tickMs: number): void {
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.tick();
  }

  names(): string[] {
    return this.o.sessions.map((s) => s.spec.tmux);
  }

  async setPaused(name: string, paused: boolean): Promise<boolean> {
    if (!this.names().includes(name)) return false;
    const st = await this.o.store.state(name);
    await this.o.store.save(name, { ...st, paused }, this.o.clock.now());
    await this.act(name, paused ? "pause" : "resume", paused ? "supervision paused" : "supervision resumed");
    return true;
  }

  /** An operator's restart (`/restart`): the session starts again with its kickoff. */
  async restartSession(name: string, detail: string): Promise<boolean> {
    const s = this.o.sessions.find((x) => x.spec.tmux === name);
    if (!s) return false;
    await this.restart(s, await this.o.store.state(name), "manual", `restarted ${detail}`);
    return true;
  }

  private async all(): Promise<void> {
    for (const s of this.o.sessions) {
      try {
        await (s.kind === "scheduled" ? this.schedule(s) : this.heal(s));
      } catch (err) {
        this.o.log.error({ err, session: s.spec.tmux }, "supervisor could not check a session");
      }
    }
  }

  private async heal(s: ManagedSession): Promise<void> {
    const name = s.spec.tmux;
    const { store, clock, tmux } = this.o;
    const st = await store.state(name);
    if (st.paused || (s.enabled && !(await s.enabled()))) return;
    const now = clock.now();
    const save = (next: Partial<SessionState>) => store.save(name, { ...st, ...next }, now);

    if (st.limit) {
      if (now < st.limit.until) return; // the quiet window: no healing of any kind
      const pane = await tmux.captureIfPresent(name);
      if (pane !== null && !st.limit.parsed && readPane(pane, this.o.patterns).limitBanner) {
        const probes = st.limit.probes + 1;
        await this.act(name, "probe", `still limited at probe ${probes}; next in 5 min`);
        if (probes >= LOUD_AFTER_PROBES) {
          this.o.log.error({ session: name, probes }, `session still limited after ${probes} probes: check the agent's account`);
          await this.act(name, "limit-warning", `still limited after ${probes} probes`);
        }
        return save({ limit: { until: now + PROBE_EVERY_MS, parsed: false, probes } });
      }
      if (pane !== null) await this.o.messenger.submit(name, NUDGE);
      await this.act(name, "nudge", "limit window over; one nudge sent");
      return save({ limit: null, paneHash: null, paneChangedAt: now });
    }

    const pane = await tmux.captureIfPresent(name);
    if (pane === null) {
      if (s.kind === "orchestrator" && s.aliveProbe && (await this.o.probe(s.aliveProbe))) return;
      await this.o.control.start(s.spec, await s.kickoff());
      await this.act(name, "dead", "no session: started");
      return save({ paneHash: null, paneChangedAt: now });
    }
    const reading = readPane(pane, this.o.patterns);
    if (reading.fatal) return this.restart(s, st, "fatal", "fatal pattern on the pane: started fresh");
    if (reading.limitBanner) {
      const reset = resetTime(reading.limitBanner, now);
      const limit = reset === null ? { until: now + PROBE_EVERY_MS, parsed: false, probes: 0 } : { until: reset + LIMIT_MARGIN_MS, parsed: true, probes: 0 };
      await this.act(name, "limit", reset === null ? "limit banner without a readable reset time: probing every 5 min" : `limit window until ${new Date(limit.until).toISOString()}`);
      return save({ limit });
    }
    const hash = createHash("sha1").update(pane).digest("hex");
    if (reading.busy) return save({ paneHash: hash, paneChangedAt: now });
    const wake = waitingUntil(reading.lastMessage);
    if (wake !== null) {
      if (now > wake + this.o.stallGraceMs) return this.restart(s, st, "stall", `past its WAITING-UNTIL ${new Date(wake).toISOString()} by more than the grace`);
      return;
    }
    if (hash !== st.paneHash || st.paneChangedAt === null) return save({ paneHash: hash, paneChangedAt: now });
    if (now - st.paneChangedAt >= this.o.stallIdleMs) {
      return this.restart(s, st, "idle", `pane unchanged for ${Math.round((now - st.paneChangedAt) / 1000)} s`);
    }
  }

  private async schedule(s: ManagedSession): Promise<void> {
    const name = s.spec.tmux;
    const { store, clock } = this.o;
    const st = await store.state(name);
    if (st.paused || !s.cron) return;
    const now = clock.now();
    const next = () => new Cron(s.cron!, { timezone: "UTC", paused: true }).nextRun(new Date(now))?.getTime() ?? null;
    // First sight: the next slot, not one that passed before the job was configured.
    if (st.nextSlot === null) return store.save(name, { ...st, nextSlot: next() }, now);
    if (now < st.nextSlot) return;
    const pane = await this.o.tmux.captureIfPresent(name);
    if (s.mode !== "fresh" && pane !== null && readPane(pane, this.o.patterns).busy) {
      await this.act(name, "schedule", `slot ${new Date(st.nextSlot).toISOString()}: busy, left alone`);
    } else {
      await this.o.control.restart(s.spec, await s.kickoff());
      await this.act(name, "schedule", `slot ${new Date(st.nextSlot).toISOString()}: started fresh (${s.mode ?? "start"})`);
    }
    await store.save(name, { ...st, nextSlot: next(), paneHash: null, paneChangedAt: now }, now);
  }

  private async restart(s: ManagedSession, st: SessionState, reason: string, detail: string): Promise<void> {
    await this.o.control.restart(s.spec, await s.kickoff());
    await this.act(s.spec.tmux, reason, detail);
    await this.o.store.save(s.spec.tmux, { ...st, paneHash: null, paneChangedAt: this.o.clock.now() }, this.o.clock.now());
  }

  private async act(session: string, reason: string, detail: string): Promise<void> {
    await this.o.store.record(session, reason, detail, this.o.clock.now());
    this.o.metrics.supervisorActions.inc({ reason });
    this.o.log.info({ session, reason, detail }, "supervisor action");
  }
}
