import { describe, expect, it, onTestFinished } from "vitest";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

const CHILD = new URL("./support/stop-signal-child.mjs", import.meta.url).pathname;

function start(...args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  onTestFinished(() => void child.kill("SIGKILL"));
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));
  const lines: string[] = [];
  const waiting = new Map<string, () => void>();
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    waiting.get(line)?.();
  });
  const line = (text: string) => (lines.includes(text) ? Promise.resolve() : new Promise<void>((r) => waiting.set(text, r)));
  return { child, exited, line };
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
