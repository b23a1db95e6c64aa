import { openDb, type Db, type OpenOptions } from "./db.ts";
import { SqliteCursorStore, type CursorStore } from "./cursors.ts";
import { SqliteDeliveryStore, type DeliveryStore } from "./deliveries.ts";
import { SqliteOutboxStore, type OutboxStore } from "./outbox.ts";

export interface Store {
  deliveries: DeliveryStore;
  outbox: OutboxStore;
  cursors: CursorStore;
  /** True when a write transaction can be taken (readiness). */
  writable(): boolean;
  close(): void;
}

export function openStore(dataDir: string, options: OpenOptions = {}): Store {
  const db: Db = openDb(dataDir, options);
  const probe = db.prepare(`INSERT INTO cursors (key, value, updated_at) VALUES ('ready-probe', '1', ?) ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at`);
  return {
    deliveries: new SqliteDeliveryStore(db),
    outbox: new SqliteOutboxStore(db),
    cursors: new SqliteCursorStore(db),
    writable() {
      try {
        probe.run(Date.now());
        return true;
      } catch {
        return false;
      }
    },
    close() {
      if (db.open) db.close();
    },
  };
}
