import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { DB_FILE } from "../../src/store/db.ts";
import { startTestBot, tempDir, TEST_SECRET, TEST_TOKEN } from "../support/bot.ts";
import { BIN, cleanEnv, writeConfig } from "../support/child-bot.ts";
import { postRaw, signedHeaders } from "../support/post.ts";

const run = promisify(execFile);

function push(n: number): string {
  const after = n.toString(16).padStart(40, "0");
  return JSON.stringify({ ref: "refs/heads/main", before: "f".repeat(40), after, commits: [], repository: { full_name: "recipes/loaded" }, sender: { login: "alice" } });
}

function idsIn(file: string): Set<string> {
  const db = new Database(file, { readonly: true });
  try {
    return new Set((db.prepare("SELECT id FROM deliveries").all() as Array<{ id: string }>).map((r) => r.id));
  } finally {
    db.close();
  }
}

describe("cc-ci-bot backup", () => {
  it("copies the store while deliveries pour in; the copy restores into a store a bot starts on, with every delivery acknowledged before it began", async () => {
    const dataDir = tempDir();
    // Intake only: the deliveries stay pending, so the restored bot has work to pick up.
    const bot = await startTestBot({ dataDir, dispatch: false });
    const acked: string[] = [];
    let stop = false;
    let n = 0;
    const sender = async () => {
      while (!stop) {
        const id = `load-${++n}`;
        const body = push(n);
        const r = await postRaw(bot.url, signedHeaders("push", id, body, TEST_SECRET), body);
        if (r.status !== 202) throw new Error(`delivery ${id}: ${r.status} ${r.text}`);
        acked.push(id);
      }
    };
    const senders = Array.from({ length: 8 }, sender);
    const target = join(tempDir(), "backup.sqlite");
    let before: string[] = [];
    let during = 0;
    try {
      while (acked.length < 300) await new Promise((r) => setImmediate(r));
      before = [...acked];
      const cfg = writeConfig(tempDir(), `gitea: { url: "http://127.0.0.1:9", token: ${TEST_TOKEN} }\ndataDir: ${JSON.stringify(dataDir)}\n`);
      const out = await run(process.execPath, [BIN, "backup", target, "--config", cfg, "--json"], { env: cleanEnv() });
      during = acked.length - before.length;
      const result = JSON.parse(out.stdout) as { file: string; bytes: number; schemaVersion: number };
      expect(result.file).toBe(target);
      expect(result.bytes).toBeGreaterThan(0);
    } finally {
      stop = true;
      await Promise.all(senders);
    }
    // The load went on while the backup ran: the bot was not held up by it.
    expect(during).toBeGreaterThan(0);
    await bot.dispose();

    const inBackup = idsIn(target);
    for (const id of before) expect(inBackup.has(id), `${id} acknowledged before the backup`).toBe(true);
    const all = new Set(acked);
    for (const id of inBackup) expect(all.has(id), `${id} in the backup was acknowledged`).toBe(true);
    expect(existsSync(`${target}.partial`)).toBe(false);

    // Restore: the file becomes DATA_DIR/cc-ci-bot.sqlite of a fresh data dir.
    const restoredDir = tempDir();
    copyFileSync(target, join(restoredDir, DB_FILE));
    const restored = await startTestBot({ dataDir: restoredDir, dispatch: false });
    try {
      expect((await fetch(`${restored.url}/readyz`)).status).toBe(200);
      expect(await restored.store.deliveries.count("pending")).toBe(inBackup.size);
      for (const id of before) expect((await restored.store.deliveries.get(id))?.state, id).toBe("pending");
      // And it takes new deliveries on top.
      const body = push(1_000_000);
      expect((await postRaw(restored.url, signedHeaders("push", "after-restore", body, TEST_SECRET), body)).status).toBe(202);
    } finally {
      await restored.dispose();
    }
  });

  it("refuses a target that exists, and a data dir without a store, in one line", async () => {
    const dataDir = tempDir();
    const cfg = writeConfig(tempDir(), `gitea: { url: "http://127.0.0.1:9", token: ${TEST_TOKEN} }\ndataDir: ${JSON.stringify(dataDir)}\n`);
    const none = await run(process.execPath, [BIN, "backup", join(dataDir, "b.sqlite"), "--config", cfg], { env: cleanEnv() }).catch((e: { code: number; stderr: string }) => e);
    expect(none).toMatchObject({ code: 1, stderr: `cc-ci-bot backup: no store at ${join(dataDir, DB_FILE)}\n` });
    const bot = await startTestBot({ dataDir, dispatch: false });
    await bot.dispose();
    const taken = await run(process.execPath, [BIN, "backup", join(dataDir, DB_FILE), "--config", cfg], { env: cleanEnv() }).catch((e: { code: number; stderr: string }) => e);
    expect(taken).toMatchObject({ code: 1, stderr: `cc-ci-bot backup: ${join(dataDir, DB_FILE)} exists: give a new file name\n` });
    const usage = await run(process.execPath, [BIN, "backup", "--config", cfg], { env: cleanEnv() }).catch((e: { code: number; stderr: string }) => e);
    expect(usage).toMatchObject({ code: 2 });
  });
});
