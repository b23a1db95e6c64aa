import type { SessionState } from "../store/supervisor.ts";
import type { AgentState } from "./agent-sessions.ts";

export type LimitWindow = NonNullable<SessionState["limit"]>;

export const LIMIT_MARGIN_MS = 45_000;
export const PROBE_EVERY_MS = 5 * 60_000;
export const LOUD_AFTER_PROBES = 3;

/** The quiet window for a limit just seen: until its reset + 45 s, or 5 min when the reset is unknown. */
export function armWindow(resetAt: number | null, now: number): LimitWindow {
  return resetAt === null ? { until: now + PROBE_EVERY_MS, parsed: false, probes: 0 } : { until: resetAt + LIMIT_MARGIN_MS, parsed: true, probes: 0 };
}

export interface WindowEnd {
  /** The action recorded, and why. */
  reason: "nudge" | "probe" | "limit-over" | "limit";
  detail: string;
  /** Whether the nudge is typed now. */
  nudge: boolean;
  /** The next window, or null when the limit is over. */
  next: LimitWindow | null;
  /** The probes have stayed fruitless long enough to warn loudly. */
  loud: boolean;
}

/**
 * What happens when a limit window ends (docs/design.md#supervisor). A window with a known reset ends in one
 * nudge. A limit without a time (an API key's 429) only lifts for a new request, so the nudge
 * is the probe: still limited (the old banner, or a new one after the last probe) → probe again
 * and look in 5 min; no longer limited after a probe → that probe was the nudge; no longer
 * limited without one → the one nudge now. A reset time that shows up meanwhile arms a window.
 */
export function windowEnd(w: LimitWindow, state: Pick<AgentState, "kind" | "limitResetAt">, now: number): WindowEnd {
  const present = state.kind !== "absent";
  if (w.parsed) return { reason: "nudge", detail: "limit window over; one nudge sent", nudge: present, next: null, loud: false };
  if (state.kind === "limit" && state.limitResetAt != null) {
    const until = state.limitResetAt + LIMIT_MARGIN_MS;
    return { reason: "limit", detail: `limit window until ${new Date(until).toISOString()}`, nudge: false, next: { until, parsed: true, probes: w.probes }, loud: false };
  }
  if (state.kind === "limit") {
    const probes = w.probes + 1;
    return { reason: "probe", detail: `still limited at probe ${probes}; next in 5 min`, nudge: true, next: { until: now + PROBE_EVERY_MS, parsed: false, probes }, loud: probes >= LOUD_AFTER_PROBES };
  }
  if (w.probes > 0) return { reason: "limit-over", detail: `probe ${w.probes} got through`, nudge: false, next: null, loud: false };
  return { reason: "nudge", detail: "limit window over; one nudge sent", nudge: present, next: null, loud: false };
}
