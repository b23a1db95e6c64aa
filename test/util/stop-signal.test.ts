import { describe, expect, it } from "vitest";
import { spawnScript } from "../support/child-lines.ts";

const CHILD = new URL("../support/stop-signal-child.mjs", import.meta.url).pathname;

/** The child's stdout lines are exact: wait for one of them. */
function start(...args: string[]) {
  const p = spawnScript(CHILD, args, { killWith: "SIGKILL" });
  return { ...p, line: (text: string) => p.until(new RegExp(`^${text}$`)) };
}

describe("onStopSignal", () => {
  it("lets the stop finish when SIGTERM arrives while a subprocess runs (signal-exit does not re-kill the process)", async () => {
    const p = start();
    await p.line("ready");
    p.child.kill("SIGTERM");
    await p.line("stopping SIGTERM");
    expect(await p.exited).toEqual({ code: 0, signal: null });
  });

  it("exits at once with 128 + the signal's number on a second signal during the stop", async () => {
    const p = start("--hang");
    await p.line("ready");
    p.child.kill("SIGINT");
    await p.line("stopping SIGINT");
    p.child.kill("SIGINT");
    expect(await p.exited).toEqual({ code: 130, signal: null });
  });
});
