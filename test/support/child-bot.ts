import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

export const BIN = new URL("./cc-ci-bot-src.mjs", import.meta.url).pathname;

/** Environment for a child bot: the test's own, minus anything that would configure it. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["GITEA_URL", "GITEA_TOKEN", "WEBHOOK_SECRET", "PORT", "DATA_DIR", "PUBLIC_URL", "LOG_LEVEL", "CC_CI_BOT_CONFIG"]) delete env[k];
  return { ...env, ...extra };
}

export interface ChildBot {
  child: ChildProcess;
  port: number;
  url: string;
  logs: string[];
  exited: Promise<number | null>;
}

/** Starts `cc-ci-bot serve` as a real process and resolves once it listens. */
export async function spawnBot(configPath: string, args: string[] = [], env: Record<string, string> = {}): Promise<ChildBot> {
  const child = spawn(process.execPath, [BIN, "serve", "--config", configPath, ...args], { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.stderr!.on("data", (d: Buffer) => logs.push(d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      logs.push(line);
      if (line.includes('"cc-ci-bot listening"')) resolve((JSON.parse(line) as { port: number }).port);
    });
    void exited.then((code) => reject(new Error(`bot exited with ${code} before listening:\n${logs.join("\n")}`)));
  });
  return { child, port, url: `http://127.0.0.1:${port}`, logs, exited };
}

export function writeConfig(dir: string, yaml: string): string {
  const path = join(dir, "cc-ci-bot.yaml");
  writeFileSync(path, yaml);
  return path;
}
