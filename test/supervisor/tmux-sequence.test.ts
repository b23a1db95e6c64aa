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
});
