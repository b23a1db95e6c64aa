import { join } from "node:path";
import { Writable } from "node:stream";
import { parseConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import { startBot, type Bot, type BotOptions } from "../../src/main.ts";

export const TEST_SECRET = "test-webhook-secret";
export const TEST_TOKEN = "test-gitea-token-0123456789";

import { removeDir, tempDir } from "./temp.ts";

export { tempDir };

/** Collects the bot's JSON log lines so tests can read (and check redaction of) them. */
export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void): void {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      this.raw.push(line);
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    cb();
  }
}

export function testConfig(overrides: Record<string, unknown> = {}, dataDir = tempDir()): Config {
  const base = {
    gitea: { url: "http://127.0.0.1:9", token: TEST_TOKEN, botUser: "ci-bot" },
    webhook: { secrets: [TEST_SECRET] },
    server: { port: 0, host: "127.0.0.1" },
    dataDir,
    logLevel: "debug",
    dispatcher: { backoffMs: 5, maxAttempts: 3 },
    outbox: { backoffMs: 5, maxBackoffMs: 50 },
    testme: { repos: ["e2e-org/*", "recipes/*"] },
  };
  return parseConfig(deepMerge(base, overrides));
}

export interface TestBot extends Bot {
  logs: LogCapture;
  dispose(): Promise<void>;
}

export async function startTestBot(options: Partial<BotOptions> & { overrides?: Record<string, unknown>; dataDir?: string } = {}): Promise<TestBot> {
  const dataDir = options.dataDir ?? tempDir();
  const logs = new LogCapture();
  const config = options.config ?? testConfig(options.overrides ?? {}, dataDir);
  const bot = await startBot({ ...options, config, logDestination: logs });
  return Object.assign(bot, {
    logs,
    async dispose() {
      await bot.stop();
      if (!options.dataDir) removeDir(dataDir);
    },
  });
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && prev && typeof prev === "object" && !Array.isArray(prev)
        ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/** A local run's directory (its runner's CCCI_RUN_DIR), where tests script the runner. */
export function runDirOf(bot: Pick<Bot, "config">, runId: number): string {
  return join(bot.config.dataDir, "runs", String(runId));
}
