import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { profileFor } from "../../../src/supervisor/profiles/index.ts";

// The real Claude Code 2.1.197 panes and their readings (test/fixtures/claude-code-2.1.197/README.md).
const ROOT = fileURLToPath(new URL("../../fixtures/claude-code-2.1.197", import.meta.url));
const NOW = Date.parse("2026-11-29T19:20:00Z");
const profile = profileFor(undefined, ["claude"]);

interface Reading {
  file: string;
  /** "" empty, "typed" holds text, null no box (a menu is open). */
  box: "" | "typed" | null;
  busy?: boolean;
  menu?: boolean;
  /** ISO time, "unknown" (no time: probe), or absent for no limit. */
  limit?: string;
  fatal?: boolean;
  alert?: boolean;
  waiting?: string;
  lastPrompt?: string;
  boxShows?: string;
}

const both = (rows: Omit<Reading, "file">[], name: string, extra: Partial<Record<"subscription" | "api-key", Partial<Reading>>> = {}): Reading[] =>
  (["subscription", "api-key"] as const).flatMap((dir) => rows.map((r) => ({ ...r, ...extra[dir], file: `${dir}/${name}` })));

const TABLE: Reading[] = [
  ...both([{ box: "" }], "idle.txt"),
  ...both([{ box: "", lastPrompt: "PING-" }], "replied.txt"),
  ...both([{ box: "", busy: true }], "busy.txt"),
  // The placeholder `Press up to edit queued messages` is not typed text; the queued line was taken.
  ...both([{ box: "", busy: true, lastPrompt: "PING-busy-" }], "busy-queued.txt"),
  ...both([{ box: "typed", boxShows: "END" }], "typed-not-submitted.txt"),
  ...both([{ box: "typed", boxShows: "[Pasted text #1 +1 lines]" }], "typed-not-submitted-paste.txt"),
  ...both([{ box: "" }], "final.txt"),
  { file: "subscription/limit.txt", box: null, menu: true, limit: "2026-11-29T21:42:00.000Z", lastPrompt: "PING-limit-" },
  // The ping typed into the menu never reached the transcript.
  { file: "subscription/limit-menu-typed.txt", box: null, menu: true, limit: "2026-11-29T21:42:00.000Z", lastPrompt: "PING-limit-" },
  { file: "subscription/limit-menu-after-enter.txt", box: "", limit: "2026-11-29T21:42:00.000Z" },
  { file: "subscription/limit-again.txt", box: "", limit: "2026-11-29T21:42:00.000Z", lastPrompt: "PING-limit-again-" },
  { file: "api-key/limit.txt", box: "", limit: "unknown" },
  { file: "api-key/limit-again.txt", box: "", limit: "unknown" },
  ...both([{ box: "", fatal: true }], "error.txt"),
  // An old 400 and old limit banners are higher up: history.
  ...both([{ box: "" }], "waiting.txt", { subscription: { waiting: "2026-11-29T19:12:21.000Z" }, "api-key": { waiting: "2026-11-29T19:13:25.000Z" } }),
  ...both([{ box: "", busy: true }], "retrying.txt"),
  // The interrupted prompt went back into the box (typing now would glue onto it) and left the
  // transcript: the reply above it, ending in WAITING-UNTIL, is again the newest event.
  ...both([{ box: "typed", boxShows: "PING-overloaded-" }], "interrupted.txt", { subscription: { waiting: "2026-11-29T19:12:21.000Z" }, "api-key": { waiting: "2026-11-29T19:13:25.000Z" } }),
  { file: "api-key/auth-error.txt", box: "", alert: true },
];

describe("claude-code profile over every real Claude Code 2.1.197 pane", () => {
  it("has a reading for every pane file there is", () => {
    const files = ["subscription", "api-key"].flatMap((d) => readdirSync(join(ROOT, d)).map((f) => `${d}/${f}`));
    expect(TABLE.map((r) => r.file).sort()).toEqual(files.sort());
  });

  it.each(TABLE.map((r) => ({ name: r.file, ...r })))("$name", (want) => {
    const screen = readFileSync(join(ROOT, want.file), "utf8");
    const r = profile.read(screen, NOW);
    expect(r.box === null ? null : r.box === "" ? "" : "typed").toBe(want.box);
    if (want.boxShows) expect(r.box).toContain(want.boxShows);
    expect(profile.stillTyped(r, "anything")).toBe(want.box === "typed");
    expect(r.busy).toBe(want.busy ?? false);
    expect(r.menu).toBe(want.menu ?? false);
    const limit = r.limit === null ? undefined : r.limit.resetAt === null ? "unknown" : new Date(r.limit.resetAt).toISOString();
    expect(limit).toBe(want.limit);
    expect(r.fatal !== null).toBe(want.fatal ?? false);
    expect(r.alert !== null).toBe(want.alert ?? false);
    expect(r.waitingUntil === null ? undefined : new Date(r.waitingUntil).toISOString()).toBe(want.waiting);
    if (want.lastPrompt) expect(r.lastPrompt).toMatch(new RegExp(`^${want.lastPrompt}\\d+`));
  });
});
