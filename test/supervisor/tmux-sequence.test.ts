import { afterAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { systemClock } from "../../src/clock.ts";
import { TmuxSessions } from "../../src/supervisor/tmux-sessions.ts";
import { Agents } from "../support/agents.ts";
import { tempDir } from "../support/bot.ts";

// The text is typed in the same tmux invocation as the look at the box after it (commands joined
// by ";" arguments). tmux ends a command at any argument ending in ";": a ping ending so must
// still arrive whole, and nothing in it may become a tmux command (real tmux, fake agent).

describe("typing in one tmux invocation with the look after it", () => {
  const agents = new Agents(tempDir());
  const backend = new TmuxSessions({ tmux: agents.tmux, agents: new Map(), clock: systemClock, log: pino({ level: "silent" }) });
  afterAll(() => agents.close());

  it("delivers texts ending in ';' or '\\;', a lone ';' and embedded separators literally", async () => {
    await agents.start("seq-a");
    const texts = ["claim(gate-1): done;", "path C:\\x\\;", ";", "a ; kill-server ; b", "x \\; {y} $HOME #{pane_id}"];
    for (const t of texts) expect(await backend.submit("seq-a", t)).toMatchObject({ taken: true, attempts: 1 });
    expect(agents.received("seq-a")).toEqual(texts);
  });

  // A TUI draws typed text only after it has read it, and tmux runs one invocation's commands in
  // one go: a look right after the keys never sees them, so the first look waits inside tmux
  // (otherwise every ping pays one more invocation to look again).
  it("the look after typing sees the text only when it waits for the TUI inside the invocation", async () => {
    await agents.start("seq-now");
    await agents.start("seq-wait");
    const now = await agents.tmux.typeAndCapture("seq-now", "typed before the look", 0);
    expect(now?.split("\n").at(-1)).toBe(">");
    const waited = await agents.tmux.typeAndCapture("seq-wait", "typed before the look", 500);
    expect(waited?.split("\n").at(-1)).toBe("> typed before the look");
  });
});
