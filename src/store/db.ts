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
  migrate(db, file);
  db.pragma("query_only = ON");
  return { db, file };
}

/**
 * A store written by a newer release: its schema has migrations this release does not know,
 * and running on it could misread or undo them. Migrations only go forward (docs/design.md#store-and-durability).
 */
export class StoreVersionError extends Error {}

export function migrate(db: Db, file = db.name): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    db.close();
    throw new StoreVersionError(
      `the store ${file} has schema version ${current}, newer than this cc-ci-bot knows (${MIGRATIONS.length}): run the release that wrote it, or restore a backup taken before the upgrade`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
