import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.ts";
import { IntakeSummary } from "../../src/webhooks/intake-summary.ts";
import { captureLog } from "../support/log-capture.ts";

const lines = (raw: string[]) => raw.map((l) => JSON.parse(l) as Record<string, unknown>);

describe("the minute's summary of what intake answered", () => {
  it("writes one line a minute with the count of each outcome, on the first answer after the minute", () => {
    const clock = new ManualClock(Date.parse("2026-12-05T10:00:00Z"));
    const { log, lines: raw } = captureLog();
    const summary = new IntakeSummary(clock, log);
    for (const outcome of ["accepted", "accepted", "duplicate", "rejected_401", "ignored", "accepted"]) summary.count(outcome);
    clock.advance(59_999);
    summary.count("accepted");
    expect(raw).toEqual([]);
    clock.advance(1);
    summary.count("accepted");
    expect(lines(raw)).toEqual([
      expect.objectContaining({ level: 30, msg: "deliveries answered", since: "2026-12-05T10:00:00.000Z", accepted: 5, duplicate: 1, rejected_401: 1, ignored: 1 }),
    ]);
    // The next minute starts empty.
    clock.advance(60_000);
    summary.count("rejected_413");
    expect(lines(raw)[1]).toEqual(expect.objectContaining({ since: "2026-12-05T10:01:00.000Z", rejected_413: 1 }));
    expect(lines(raw)[1]).not.toHaveProperty("accepted");
  });

  it("writes nothing for a quiet minute, and what was counted when flushed at stop", () => {
    const clock = new ManualClock(Date.parse("2026-12-05T10:00:00Z"));
    const { log, lines: raw } = captureLog();
    const summary = new IntakeSummary(clock, log);
    clock.advance(600_000);
    summary.flush();
    expect(raw).toEqual([]);
    clock.advance(5_000);
    summary.count("accepted");
    summary.flush();
    expect(lines(raw)).toEqual([expect.objectContaining({ msg: "deliveries answered", since: "2026-12-05T10:10:00.000Z", accepted: 1 })]);
  });
});
