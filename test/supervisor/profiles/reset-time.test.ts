import { describe, expect, it } from "vitest";
import { zonedResetTime } from "../../../src/supervisor/profiles/reset-time.ts";

const NOW = Date.parse("2026-11-29T19:20:00Z");

describe("reset times in the zone the banner names", () => {
  it.each([
    { name: "UTC, later today", line: "You've hit your session limit · resets 9:42pm (UTC)", at: "2026-11-29T21:42:00.000Z" },
    { name: "UTC, already past today: tomorrow", line: "resets 7:05am (UTC)", at: "2026-11-30T07:05:00.000Z" },
    { name: "read a few minutes late: still today's", line: "resets 7:15pm (UTC)", at: "2026-11-29T19:15:00.000Z" },
    { name: "Europe/Berlin (UTC+1 in November)", line: "resets 9:42pm (Europe/Berlin)", at: "2026-11-29T20:42:00.000Z" },
    { name: "America/New_York (UTC-5 in November)", line: "resets 3pm (America/New_York)", at: "2026-11-29T20:00:00.000Z" },
    { name: "Asia/Kolkata, half-hour offset", line: "resets 1am (Asia/Kolkata)", at: "2026-11-29T19:30:00.000Z" },
    { name: "a date for a weekly limit", line: "You've hit your weekly limit · resets Dec 3, 9am (Europe/Berlin)", at: "2026-12-03T08:00:00.000Z" },
    { name: "a zone Intl does not know", line: "resets 9:42pm (Mars/Olympus)", at: null },
    { name: "no time at all", line: "API Error: Request rejected (429) · rate limit", at: null },
    { name: "13pm is not a time", line: "resets 13pm (UTC)", at: null },
  ])("$name", ({ line, at }) => {
    const t = zonedResetTime(line, NOW);
    expect(t === null ? null : new Date(t).toISOString()).toBe(at);
  });

  it("crosses a daylight-saving change in the zone", () => {
    // Europe/Berlin moves to UTC+2 on 2027-03-28; the next 9am there is 07:00Z.
    const t = zonedResetTime("resets 9am (Europe/Berlin)", Date.parse("2027-03-27T12:00:00Z"));
    expect(new Date(t!).toISOString()).toBe("2027-03-28T07:00:00.000Z");
  });
});
