import type { Db } from "./db.ts";
import type { SqlWriter } from "./writer.ts";

/** Small named positions that must survive restarts (last processed head, first start time, ...). */
export interface CursorStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, now: number): Promise<void>;
  /** Sets the value only if the key has none yet; returns the value in force afterwards. */
  setIfAbsent(key: string, value: string, now: number): Promise<string>;
}

export const CURSOR_WRITES = {
  "cursors.set": `INSERT INTO cursors (key, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
  "cursors.setIfAbsent": `INSERT INTO cursors (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`,
};

export class SqliteCursorStore implements CursorStore {
  private readonly get_;

  constructor(
    db: Db,
    private readonly writer: SqlWriter,
  ) {
    this.get_ = db.prepare(`SELECT value FROM cursors WHERE key = ?`);
  }

  async get(key: string): Promise<string | null> {
    return (this.get_.get(key) as { value: string } | undefined)?.value ?? null;
  }

  async set(key: string, value: string, now: number): Promise<void> {
    await this.writer.run("cursors.set", [key, value, now]);
  }

  async setIfAbsent(key: string, value: string, now: number): Promise<string> {
    await this.writer.run("cursors.setIfAbsent", [key, value, now]);
    return (await this.get(key)) ?? value;
  }
}
