import Database from "better-sqlite3";
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { DB_FILE, migrate } from "./db.ts";
import { MIGRATIONS } from "./migrations.ts";

export interface BackupResult {
  file: string;
  bytes: number;
  schemaVersion: number;
}

/**
 * Copies the store in `dataDir` to `target` while the bot may be running and writing.
 *
 * `VACUUM INTO` reads the whole database inside one read transaction, so the copy is the
 * store as of one commit; in WAL mode that reader never blocks the bot's writer. (SQLite's
 * online backup API restarts whenever another connection writes, so under steady intake it
 * might never finish.) SQLite does not fsync the file VACUUM INTO writes: it is written beside
 * the target, synced, then renamed, so `target` is either absent or a whole backup.
 */
export function backupStore(dataDir: string, target: string): BackupResult {
  const source = join(dataDir, DB_FILE);
  if (!existsSync(source)) throw new Error(`no store at ${source}`);
  if (existsSync(target)) throw new Error(`${target} exists: give a new file name`);
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    // Refuses a store from a newer release, as serve does; a read-only connection migrates nothing.
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) migrate(db, source);
    db.prepare("VACUUM INTO ?").run(partial);
    const fd = openSync(partial, "r+");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(partial, target);
    syncDir(dirname(target));
    const copy = new Database(target, { readonly: true });
    try {
      const check = copy.pragma("quick_check", { simple: true });
      if (check !== "ok") throw new Error(`the backup ${target} fails SQLite's check: ${String(check)}`);
      return { file: target, bytes: (copy.pragma("page_count", { simple: true }) as number) * (copy.pragma("page_size", { simple: true }) as number), schemaVersion: version };
    } finally {
      copy.close();
    }
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  } finally {
    if (db.open) db.close();
  }
}

/** The rename is durable only once the directory entry is synced too. */
function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
