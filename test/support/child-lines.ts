import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { onTestFinished } from "vitest";

export interface ScriptChild {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every line it printed so far. */
  out: string[];
  /** The first line matching `re`, printed already or later; rejects if the script exits first. */
  until(re: RegExp): Promise<RegExpExecArray>;
}

/**
 * Runs a TypeScript or ESM script with tsx as a child process, its stdout read line by line.
 * It is sent `killWith` when the test finishes (SIGTERM lets a script clean up after a failed test).
 */
export function spawnScript(script: string, args: string[], o: { env?: NodeJS.ProcessEnv; killWith: NodeJS.Signals }): ScriptChild {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { env: o.env ?? process.env, stdio: ["ignore", "pipe", "inherit"] });
  onTestFinished(() => void child.kill(o.killWith));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));
  const out: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    out.push(line);
    for (const w of waiters) {
      const m = w.re.exec(line);
      if (m) w.resolve(m);
    }
  });
  const until = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      // Lines of one chunk arrive together: the line may have come before this was asked.
      for (const line of out) {
        const m = re.exec(line);
        if (m) return resolve(m);
      }
      waiters.push({ re, resolve });
      void exited.then(({ code, signal }) => reject(new Error(`${script} exited with ${code ?? signal} before ${re}:\n${out.join("\n")}`)));
    });
  return { child, exited, out, until };
}
