import { Cron } from "croner";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { SessionState, SupervisorStore } from "../store/supervisor.ts";
import { singleFlight } from "../util/single-flight.ts";
import type { AgentSessions, AgentState } from "./agent-sessions.ts";
import { armWindow, windowEnd } from "./limit-window.ts";
import { BOT_MARK } from "./pane.ts";
import type { SessionSpec } from "./sessions.ts";

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
  agents: Pick<AgentSessions, "state" | "submit" | "startFresh">;
  /** After a start: pings that queued while the session was away can go. */
  afterStart?: () => void;
  /** Raises an operator alert (as a force-push does): something a restart cannot fix. */
  alert: (kind: string, subject: string, message: string) => Promise<void>;
  store: SupervisorStore;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, "supervisorActions">;
  stallGraceMs: number;
  stallIdleMs: number;
  probe: (argv: readonly string[]) => Promise<boolean>;
}

/** After a limit window, this is typed; it never matches a limit pattern. */
export const NUDGE = `${BOT_MARK} The usage window should be open again now: please continue where you left off.`;

/**
 * The residual timer (docs/design.md#supervisor): the only periodic look at the agent sessions, which it sees
 * through the AgentSessions port (whatever backend runs them). Each tick, per session: paused
 * → nothing; inside a limit window → nothing at all, then one nudge; something only the
 * operator can fix (wrong credentials, server down) → one alert, never a restart, cleared as soon
 * as its cause is gone (looked at even while paused, waiting or in a limit window); dead → start;
 * fatal → start fresh; a limit → arm a window until its reset (+45 s), or probe every 5 minutes
 * when the time is unknown; busy → leave alone; stalled past its own WAITING-UNTIL (+ grace),
 * or with no activity for the idle time → restart. Scheduled jobs fire once per cron slot
 * (UTC), even across restarts of the bot. State is persisted.
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
    const { store, clock, agents } = this.o;
    const stored = await store.state(name);
    const now = clock.now();
    const halted = stored.paused || (s.enabled !== undefined && !(await s.enabled()));
    const quiet = stored.limit !== null && now < stored.limit.until;
    // Paused, disabled or inside a limit window: no healing of any kind. Only a raised alert is
    // still looked at, so that it clears once its cause is gone (else a second outage would
    // find the alert still "raised" and tell nobody).
    if ((halted || quiet) && !stored.alert) return;
    const state = await agents.state(name);
    const st = await this.followAlert(name, stored, state, !(halted || quiet), now);
    if (halted || quiet || state.alert) return;
    const save = (next: Partial<SessionState>) => store.save(name, { ...st, ...next }, now);

    if (st.limit) {
      const end = windowEnd(st.limit, state, now);
      if (end.nudge) await agents.submit(name, NUDGE);
      await this.act(name, end.reason, end.detail);
      if (end.loud) {
        this.o.log.error({ session: name, probes: end.next?.probes }, "session still limited after repeated probes: check the agent's account");
        await this.act(name, "limit-warning", `still limited after ${end.next?.probes} probes`);
      }
      return save(end.next ? { limit: end.next } : { limit: null, paneHash: null, paneChangedAt: now });
    }

    if (state.kind === "absent") {
      if (s.kind === "orchestrator" && s.aliveProbe && (await this.o.probe(s.aliveProbe))) return;
      await this.startFresh(s);
      await this.act(name, "dead", "no session: started");
      return save({ paneHash: null, paneChangedAt: now });
    }
    if (state.kind === "fatal") return this.restart(s, st, "fatal", `fatal: ${state.fatalReason ?? "error"}: started fresh`);
    if (state.kind === "limit") {
      const limit = armWindow(state.limitResetAt ?? null, now);
      await this.act(name, "limit", limit.parsed ? `limit window until ${new Date(limit.until).toISOString()}` : "limit without a reset time: probing every 5 min");
      return save({ limit });
    }
    if (state.kind === "busy") return save({ paneHash: state.activity, paneChangedAt: now });
    if (state.kind === "waiting" && state.waitingUntil !== undefined) {
      const wake = state.waitingUntil;
      if (now > wake + this.o.stallGraceMs) return this.restart(s, st, "stall", `past its WAITING-UNTIL ${new Date(wake).toISOString()} by more than the grace`);
      return;
    }
    if (state.activity !== st.paneHash || st.paneChangedAt === null) return save({ paneHash: state.activity, paneChangedAt: now });
    if (now - st.paneChangedAt >= this.o.stallIdleMs) {
      return this.restart(s, st, "idle", `no activity for ${Math.round((now - st.paneChangedAt) / 1000)} s`);
    }
  }

  /**
   * The stored alert follows what the session shows, whatever else the session is doing: a new
   * alert is raised once (only while the session is supervised: a restart cannot fix wrong
   * credentials or a server that is down, so the operator is told), and an alert whose cause is
   * gone is cleared at once, so that the next outage is a new alert.
   */
  private async followAlert(name: string, st: SessionState, state: AgentState, supervised: boolean, now: number): Promise<SessionState> {
    const kind = state.alert?.kind ?? null;
    if ((st.alert ?? null) === kind) return st;
    if (kind !== null && !supervised) return st;
    if (kind !== null) {
      await this.o.alert(kind, name, state.alert!.message);
      await this.act(name, "alert", state.alert!.message);
    } else {
      await this.act(name, "alert-cleared", `${st.alert} is gone: the session answers again`);
    }
    const next = { ...st, alert: kind };
    await this.o.store.save(name, next, now);
    return next;
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
    if (s.mode !== "fresh" && (await this.o.agents.state(name)).kind === "busy") {
      await this.act(name, "schedule", `slot ${new Date(st.nextSlot).toISOString()}: busy, left alone`);
    } else {
      await this.startFresh(s);
      await this.act(name, "schedule", `slot ${new Date(st.nextSlot).toISOString()}: started fresh (${s.mode ?? "start"})`);
    }
    await store.save(name, { ...st, nextSlot: next(), paneHash: null, paneChangedAt: now }, now);
  }

  private async startFresh(s: ManagedSession): Promise<void> {
    await this.o.agents.startFresh(s.spec.tmux, await s.kickoff());
    this.o.afterStart?.();
  }

  private async restart(s: ManagedSession, st: SessionState, reason: string, detail: string): Promise<void> {
    await this.startFresh(s);
    await this.act(s.spec.tmux, reason, detail);
    await this.o.store.save(s.spec.tmux, { ...st, alert: null, paneHash: null, paneChangedAt: this.o.clock.now() }, this.o.clock.now());
  }

  private async act(session: string, reason: string, detail: string): Promise<void> {
    await this.o.store.record(session, reason, detail, this.o.clock.now());
    this.o.metrics.supervisorActions.inc({ reason });
    this.o.log.info({ session, reason, detail }, "supervisor action");
  }
}
