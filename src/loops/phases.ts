import type { Clock } from "../clock.ts";
import type { LoopConfig, PhaseConfig, SessionConfig } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/index.ts";

export interface PhaseState {
  index: number;
  complete: boolean;
}

export interface PhaseDeps {
  store: Pick<Store, "cursors" | "loops" | "pings">;
  /** The supervisor's session control: a phase change restarts or stops the loop's sessions. */
  sessions: { restart(s: SessionConfig, kickoff: string): Promise<void>; stop(name: string): Promise<void> };
  clock: Clock;
  log: Logger;
}

/** `## DONE` on a line of its own, with no `## VETO` line after it (docs/design.md#handoff-relay). */
export function statusIsDone(text: string | null): boolean {
  if (text === null) return false;
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const done = lines.findLastIndex((l) => /^## DONE\b/.test(l));
  return done >= 0 && !lines.slice(done + 1).some((l) => /^## VETO\b/.test(l));
}

/** The phase's state files; the other three default from the status file's name. */
export function phaseFiles(p: PhaseConfig) {
  const sibling = (kind: string) => (/STATUS/.test(p.status) ? p.status.replace(/STATUS/, kind) : `${p.status}.${kind.toLowerCase()}`);
  return {
    status: p.status,
    backlog: p.backlog ?? sibling("BACKLOG"),
    review: p.review ?? sibling("REVIEW"),
    journal: p.journal ?? sibling("JOURNAL"),
  };
}

/** The phase preamble a loop session is restarted with. */
export function kickoff(loop: LoopConfig, phase: PhaseConfig, sessionPrompt?: string): string {
  const f = phaseFiles(phase);
  const preamble = `Phase ${phase.id} of loop ${loop.name}: follow the plan in ${phase.plan}. State files: status ${f.status}, backlog ${f.backlog}, review ${f.review}, journal ${f.journal}.`;
  return sessionPrompt ? `${preamble} ${sessionPrompt}` : preamble;
}

/**
 * The ordered phase sequence of a loop. The position is persisted; advancing happens once per
 * phase however often its DONE is seen, and restarts the loop's sessions with the next
 * phase's kickoff, or stops them after the last phase (nothing else is stopped).
 */
export class Phases {
  constructor(private readonly d: PhaseDeps) {}

  async state(loop: LoopConfig): Promise<PhaseState> {
    const raw = await this.d.store.cursors.get(key(loop));
    if (raw === "complete") return { index: loop.phases.length, complete: true };
    return { index: raw === null ? 0 : Number(raw), complete: false };
  }

  /** An operator's hold: a DONE does not advance the sequence until the next manual advance. */
  async hold(loop: LoopConfig, held: boolean): Promise<void> {
    await this.d.store.cursors.set(`loop:${loop.name}:hold`, held ? "1" : "0", this.d.clock.now());
  }

  async isHeld(loop: LoopConfig): Promise<boolean> {
    return (await this.d.store.cursors.get(`loop:${loop.name}:hold`)) === "1";
  }

  /** After a push: advance when the current phase's status file, read at `sha`, says DONE. */
  async check(loop: LoopConfig, sha: string, read: (sha: string, path: string) => Promise<string | null>): Promise<boolean> {
    if (loop.phases.length === 0 || (await this.isHeld(loop))) return false;
    const st = await this.state(loop);
    const phase = loop.phases[st.index];
    if (st.complete || !phase) return false;
    if (!statusIsDone(await read(sha, phase.status))) return false;
    await this.advance(loop, st.index, sha);
    return true;
  }

  /** Moves from phase `from` to the next (idempotent: a stale `from` does nothing). */
  async advance(loop: LoopConfig, from: number, sha: string): Promise<void> {
    const st = await this.state(loop);
    if (st.complete || st.index !== from) return;
    const { store, clock, log } = this.d;
    const next = loop.phases[from + 1];
    await store.cursors.set(key(loop), next ? String(from + 1) : "complete", clock.now());
    await store.loops.transition({ loop: loop.name, fromPhase: loop.phases[from]?.id ?? null, toPhase: next?.id ?? null, sha, createdAt: clock.now() });
    // The handoff state of the finished phase: pings still waiting are about it, not the next.
    await store.pings.dropQueued(loop.name, clock.now());
    const sessions = Object.values(loop.sessions);
    if (next) {
      log.info({ loop: loop.name, from: loop.phases[from]?.id, to: next.id, sha }, "phase done; restarting the loop's sessions");
      for (const s of sessions) await this.d.sessions.restart(s, kickoff(loop, next, s.prompt));
    } else {
      log.info({ loop: loop.name, sha }, "last phase done; the sequence is complete and the loop's sessions are stopped");
      for (const s of sessions) await this.d.sessions.stop(s.session);
    }
  }
}

function key(loop: LoopConfig): string {
  return `loop:${loop.name}:phase`;
}
