import { describe, expect, it } from "vitest";
import { armWindow, windowEnd, type LimitWindow } from "../../src/supervisor/limit-window.ts";
import type { AgentState } from "../../src/supervisor/agent-sessions.ts";

const NOW = Date.parse("2026-11-29T21:43:00Z");
const MIN = 60_000;
const parsed: LimitWindow = { until: NOW - 1, parsed: true, probes: 0 };
const unknown = (probes: number): LimitWindow => ({ until: NOW - 1, parsed: false, probes });
const seen = (kind: AgentState["kind"], limitResetAt?: number | null): Pick<AgentState, "kind" | "limitResetAt"> => ({ kind, limitResetAt });

describe("limit windows", () => {
  it("arms until the reset + 45 s, or 5 min when the reset is unknown", () => {
    expect(armWindow(Date.parse("2026-11-29T21:42:00Z"), NOW - 2 * 3_600_000)).toEqual({ until: Date.parse("2026-11-29T21:42:45Z"), parsed: true, probes: 0 });
    expect(armWindow(null, NOW)).toEqual({ until: NOW + 5 * MIN, parsed: false, probes: 0 });
  });

  it.each([
    { name: "a known reset passed: one nudge, over", w: parsed, s: seen("limit", NOW - MIN), want: { reason: "nudge", nudge: true, next: null, loud: false } },
    { name: "a known reset passed, session gone: no nudge, over", w: parsed, s: seen("absent"), want: { reason: "nudge", nudge: false, next: null, loud: false } },
    { name: "unknown reset, still limited: the nudge is probe 1", w: unknown(0), s: seen("limit", null), want: { reason: "probe", nudge: true, next: { until: NOW + 5 * MIN, parsed: false, probes: 1 }, loud: false } },
    { name: "a 429 again after probe 2: probe 3, loudly", w: unknown(2), s: seen("limit", null), want: { reason: "probe", nudge: true, next: { until: NOW + 5 * MIN, parsed: false, probes: 3 }, loud: true } },
    { name: "the last probe got through: over, no second nudge", w: unknown(1), s: seen("busy"), want: { reason: "limit-over", nudge: false, next: null, loud: false } },
    { name: "gone by itself before any probe: the one nudge", w: unknown(0), s: seen("idle"), want: { reason: "nudge", nudge: true, next: null, loud: false } },
    { name: "a reset time shows up: a window until it", w: unknown(1), s: seen("limit", NOW + 60 * MIN), want: { reason: "limit", nudge: false, next: { until: NOW + 60 * MIN + 45_000, parsed: true, probes: 1 }, loud: false } },
  ])("$name", ({ w, s, want }) => {
    expect(windowEnd(w, s, NOW)).toMatchObject(want);
  });
});
