import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { profileFor } from "../../../src/supervisor/profiles/index.ts";

// Screens of the real opencode 1.18.33 TUI in a 200×50 tmux pane against the fake model (see the README there).
const DIR = fileURLToPath(new URL("../../fixtures/opencode-1.18.33", import.meta.url));
const NOW = Date.parse("2026-11-29T20:00:00Z");
const profile = profileFor(undefined, ["/usr/lib/node_modules/opencode-ai/bin/opencode", "/srv/cc-ci/cc-ci"]);

interface Reading {
  name: string;
  box: string;
  busy?: boolean;
  limit?: string;
  fatal?: boolean;
  reply?: string;
  waiting?: string;
}

const TABLE: Reading[] = [
  { name: "idle-home.txt", box: "" },
  { name: "typed-home.txt", box: "hello there short ping" },
  { name: "replied.txt", box: "", reply: "ok" },
  { name: "waiting.txt", box: "", reply: "Nothing to do until then.\nWAITING-UNTIL: 2026-11-29T23:00:00Z", waiting: "2026-11-29T23:00:00.000Z" },
  { name: "busy.txt", box: "", busy: true },
  { name: "typed-busy.txt", box: "typed while busy", busy: true },
  // Enter while busy: opencode queues the prompt (shown above the box with QUEUED); the box is empty.
  { name: "queued-busy.txt", box: "", busy: true },
  { name: "after-busy.txt", box: "", reply: "ok, that took a while" },
  { name: "error.txt", box: "", fatal: true },
  // A 429 with retry-after 300 s: opencode waits it out by itself and says how long in the footer.
  { name: "limit-retrying.txt", box: "", busy: true, limit: "2026-11-29T20:04:59.000Z" },
  // Interrupted (Escape twice): the error above is history, the newest block is the prompt.
  { name: "interrupted.txt", box: "" },
  { name: "typed-long.txt", box: `LONG${" lorem ipsum dolor sit amet".repeat(13)} END` },
];

describe("opencode profile over real opencode 1.18.33 TUI screens", () => {
  it("is the profile for a start command running opencode, with a reading for every screen", () => {
    expect(profile.name).toBe("opencode");
    expect(TABLE.map((r) => r.name).sort()).toEqual(readdirSync(DIR).filter((f) => f.endsWith(".txt")).sort());
  });

  it.each(TABLE)("$name", (want) => {
    const r = profile.read(readFileSync(`${DIR}/${want.name}`, "utf8"), NOW);
    expect(r.box?.replace(/\s+/g, " ")).toBe(want.box);
    expect(profile.stillTyped(r, "x")).toBe(want.box !== "");
    expect(r.busy).toBe(want.busy ?? false);
    expect(r.limit === null ? undefined : new Date(r.limit.resetAt!).toISOString()).toBe(want.limit);
    expect(r.fatal !== null).toBe(want.fatal ?? false);
    expect(r.alert).toBeNull();
    expect(r.lastReply ?? undefined).toBe(want.reply);
    expect(r.waitingUntil === null ? undefined : new Date(r.waitingUntil).toISOString()).toBe(want.waiting);
  });
});
