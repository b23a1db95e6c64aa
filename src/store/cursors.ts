import type { Db } from "./db.ts";

/** Small named positions that must survive restarts (last processed head, first start time, ...). */
export interface CursorStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, now: number): Promise<void>;
  /** Sets the value only if the key has none yet; returns the value in force afterwards. */
  setIfAbsent(key: string, value: string, now: number): Promise<string>;
}

export class SqliteCursorStore implements CursorStore {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<string | null> {
    const row = this.db.prepare(`SELECT value FROM cursors WHERE key = ?`).get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  async set(key: string, value: string, now: number): Promise<void> {
    this.db
      .prepare(`INSERT INTO cursors (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`)
      .run(key, value, now);
  }

  async setIfAbsent(key: string, value: string, now: number): Promise<string> {
    this.db.prepare(`INSERT INTO cursors (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING`).run(key, value, now);
    return (await this.get(key)) ?? value;
  }
}
