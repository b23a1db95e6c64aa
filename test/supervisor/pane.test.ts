import { describe, expect, it } from "vitest";
import { readPane, resetTime, waitingUntil } from "../../src/supervisor/pane.ts";
import { DEFAULT_LIMIT_PATTERNS } from "../../src/loops/sanitize.ts";

const NOW = Date.parse("2026-11-24T10:20:00Z");
const patterns = { fatal: [/redacted_thinking/i], limit: [...DEFAULT_LIMIT_PATTERNS], busy: [/esc to interrupt/i] };

describe("limit reset times", () => {
  it.each([
    { banner: "limit reached, resets at 2026-11-24T15:00:00Z", at: "2026-11-24T15:00:00.000Z" },
    { banner: "usage limit reached. Your limit will reset at 3pm (UTC)", at: "2026-11-24T15:00:00.000Z" },
    { banner: "usage limit; resets at 5:30 PM", at: "2026-11-24T17:30:00.000Z" },
    { banner: "limit reached until 09:15", at: "2026-11-25T09:15:00.000Z" },
    { banner: "limit reached at 12am", at: "2026-11-25T00:00:00.000Z" },
    { banner: "Try again in 2 hours", at: "2026-11-24T12:20:00.000Z" },
    { banner: "try again in 45 minutes", at: "2026-11-24T11:05:00.000Z" },
    { banner: "You are out of credits.", at: null },
    { banner: "limit reached at 7", at: null },
  ])("$banner", ({ banner, at }) => {
    const t = resetTime(banner, NOW);
    expect(t === null ? null : new Date(t).toISOString()).toBe(at);
  });
});

describe("reading a pane", () => {
  it.each([
    { name: "idle prompt", pane: "hello\n> ", fatal: false, limit: null, busy: false, last: "hello" },
    { name: "fatal", pane: "Error: redacted_thinking blocks\n> ", fatal: true, limit: null, busy: false, last: "Error: redacted_thinking blocks" },
    { name: "busy", pane: "✻ Thinking… (esc to interrupt)\n> ", fatal: false, limit: null, busy: true, last: "✻ Thinking… (esc to interrupt)" },
    { name: "limit", pane: "usage limit reached\n> ", fatal: false, limit: "usage limit reached", busy: false, last: "usage limit reached" },
    { name: "limit already nudged", pane: "usage limit reached\n[cc-ci-bot] continue\n> ", fatal: false, limit: null, busy: false, last: "[cc-ci-bot] continue" },
    { name: "a new limit after the nudge", pane: "usage limit reached\n[cc-ci-bot] continue\nlimit reached again\n> ", fatal: false, limit: "limit reached again", busy: false, last: "limit reached again" },
  ])("$name", ({ pane, fatal, limit, busy, last }) => {
    expect(readPane(pane, patterns)).toEqual({ fatal, limitBanner: limit, busy, lastMessage: last });
  });

  it("finds the input line by pattern when one is configured (a status bar below it)", () => {
    const pane = "done for now\nWAITING-UNTIL: 2026-11-24T11:00:00Z\n│ > \n status: ok";
    expect(readPane(pane, { ...patterns, inputLine: /^│ >/ }).lastMessage).toBe("WAITING-UNTIL: 2026-11-24T11:00:00Z");
  });

  it.each([
    { line: "WAITING-UNTIL: 2026-11-24T11:00:00Z", at: Date.parse("2026-11-24T11:00:00Z") },
    { line: "WAITING-UNTIL:2026-11-24T11:00:00.000Z", at: Date.parse("2026-11-24T11:00:00Z") },
    { line: "WAITING-UNTIL: soon", at: null },
    { line: "I am WAITING-UNTIL: 2026-11-24T11:00:00Z", at: null },
    { line: null, at: null },
  ])("WAITING-UNTIL in $line", ({ line, at }) => {
    expect(waitingUntil(line)).toBe(at);
  });
});
