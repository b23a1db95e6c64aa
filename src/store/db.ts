import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { MIGRATIONS } from "./migrations.ts";

export type Db = Database.Database;

export interface OpenOptions {
  synchronous?: "full" | "normal";
}

/** Opens (creating if needed) the SQLite store in `dataDir` and brings its schema up to date. */
export function openDb(dataDir: string, options: OpenOptions = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, "cc-ci-bot.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${options.synchronous === "normal" ? "NORMAL" : "FULL"}`);
  db.pragma("foreign_keys = ON");
  // Another process (the CLI's replay) may hold the write lock for a moment.
  db.pragma("busy_timeout = 5000");
  migrate(db);
  return db;
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
