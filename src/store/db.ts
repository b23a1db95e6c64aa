import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { MIGRATIONS } from "./migrations.ts";

export type Db = Database.Database;

export const DB_FILE = "cc-ci-bot.sqlite";

/**
 * Opens the store's file in `dataDir` (creating it), brings its schema up to date, then makes
 * this connection read-only: every write goes through the writer thread.
 */
export function openReadDb(dataDir: string): { db: Db; file: string } {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, DB_FILE);
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  // Another process (the CLI's replay) may hold the write lock for a moment.
  db.pragma("busy_timeout = 5000");
  migrate(db);
  db.pragma("query_only = ON");
  return { db, file };
}

function migrate(db: Db): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
