import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { cleanEnv } from "./support/child-bot.ts";

const DEMO = new URL("../src/demo/main.ts", import.meta.url).pathname;

describe("npm run demo", () => {
  it("plays its scenario, answers on its port, and cleans up on Ctrl-C", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", DEMO, "--port", "0"], { env: cleanEnv(), stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    const out: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => {
        out.push(line);
        const m = /^ready: (http:\/\/\S+)$/.exec(line);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`demo exited with ${code}:\n${out.join("\n")}`)));
    });
    const text = out.join("\n");
    expect(text).toMatch(/alice comments !testme\s+-> 202 accepted/);
    expect(text).toMatch(/redelivers that comment\s+-> 200 duplicate of delivery/);
    expect(text).toMatch(/wrong secret\s+-> 401 signature does not match/);
    expect(text).toMatch(/the bot comments \(through its outbox\)\s+-> 202 ignored: comment written by the bot itself/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const deliveries = (await (await fetch(`${url}/api/deliveries`)).json()) as { deliveries: unknown[] };
    expect(deliveries.deliveries).toHaveLength(4);
    const dataDir = /data in (\S+)/.exec(text)![1]!;
    expect(existsSync(dataDir)).toBe(true);
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(existsSync(dataDir)).toBe(false);
  });
});
