import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { DB_FILE } from "../../src/store/db.ts";
import { MIGRATIONS } from "../../src/store/migrations.ts";
import { startTestBot, tempDir, TEST_TOKEN } from "../support/bot.ts";
import { BIN, cleanEnv, writeConfig } from "../support/child-bot.ts";

const run = promisify(execFile);

function config(dataDir: string): string {
  return writeConfig(tempDir(), `gitea: { url: "http://127.0.0.1:9", token: ${TEST_TOKEN}, botUser: ci-bot }\nserver: { port: 0, host: 127.0.0.1 }\ndataDir: ${JSON.stringify(dataDir)}\n`);
}

describe("upgrades: migrations only go forward", () => {
  it("brings a store written by an older release up to date at start, keeping its rows", async () => {
    const dataDir = tempDir();
    mkdirSync(dataDir, { recursive: true });
    const old = new Database(join(dataDir, DB_FILE));
    old.pragma("journal_mode = WAL");
    for (const [v, sql] of MIGRATIONS.slice(0, 2).entries()) {
      old.exec(sql);
      old.pragma(`user_version = ${v + 1}`);
    }
    old.prepare(`INSERT INTO deliveries (id, event, state, received_at) VALUES ('from-v2', 'push', 'done', ?)`).run(Date.now());
    old.close();

    const bot = await startTestBot({ dataDir, dispatch: false });
    try {
      expect((await bot.store.deliveries.get("from-v2"))?.state).toBe("done");
      expect(await bot.store.runs.recent(5)).toEqual([]); // a table from a later migration
    } finally {
      await bot.dispose();
    }
    const db = new Database(join(dataDir, DB_FILE), { readonly: true });
    expect(db.pragma("user_version", { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it("refuses, in one line, a store a newer release wrote; serve and backup alike, and changes nothing", async () => {
    const dataDir = tempDir();
    const bot = await startTestBot({ dataDir, dispatch: false });
    await bot.dispose();
    const newer = MIGRATIONS.length + 1;
    const db = new Database(join(dataDir, DB_FILE));
    db.pragma(`user_version = ${newer}`);
    db.close();

    const cfg = config(dataDir);
    const file = join(dataDir, DB_FILE);
    const expected = `the store ${file} has schema version ${newer}, newer than this cc-ci-bot knows (${MIGRATIONS.length}): run the release that wrote it, or restore a backup taken before the upgrade\n`;
    const serve = await run(process.execPath, [BIN, "serve", "--config", cfg], { env: cleanEnv() }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(serve).toMatchObject({ code: 1, stderr: `cc-ci-bot serve: ${expected}` });
    const backup = await run(process.execPath, [BIN, "backup", join(tempDir(), "b.sqlite"), "--config", cfg], { env: cleanEnv() }).catch((e: { code: number; stderr: string }) => e);
    expect(backup).toMatchObject({ code: 1, stderr: `cc-ci-bot backup: ${expected}` });

    const after = new Database(file, { readonly: true });
    expect(after.pragma("user_version", { simple: true })).toBe(newer);
    after.close();
  });
});
