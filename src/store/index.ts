import { openReadDb } from "./db.ts";
import { CURSOR_WRITES, SqliteCursorStore, type CursorStore } from "./cursors.ts";
import { DELIVERY_WRITES, SqliteDeliveryStore, type DeliveryStore } from "./deliveries.ts";
import { OUTBOX_WRITES, SqliteOutboxStore, type OutboxStore } from "./outbox.ts";
import { SqlWriter } from "./writer.ts";
import { PING_WRITES, SqlitePingStore, type PingStore } from "./pings.ts";
import { LOOP_WRITES, SqliteLoopStore, type LoopStore } from "./loops.ts";
import { RUN_WRITES, SqliteRunStore, type RunStore } from "./runs.ts";
import { SUPERVISOR_WRITES, SqliteSupervisorStore, type SupervisorStore } from "./supervisor.ts";
import { JOB_WRITES, SqliteJobStore } from "./jobs.ts";
import { RETENTION_WRITES, SqliteRetentionStore } from "./retention.ts";
import { SWEEP_WRITES, SqliteSweepStore, type SweepStore } from "./sweeps.ts";

export interface Store {
  deliveries: DeliveryStore;
  outbox: OutboxStore;
  cursors: CursorStore;
  pings: PingStore;
  loops: LoopStore;
  runs: RunStore;
  supervisor: SupervisorStore;
  jobs: SqliteJobStore;
  retention: SqliteRetentionStore;
  sweeps: SweepStore;
  /** True when a write commits (readiness). */
  writable(): Promise<boolean>;
  /** Waits for queued writes to commit, then closes. */
  close(): Promise<void>;
}

export interface OpenOptions {
  /** "full" fsyncs each commit (survives power loss); "normal" survives a process crash. */
  synchronous?: "full" | "normal";
}

const PROBE = { "store.probe": `INSERT INTO cursors (key, value, updated_at) VALUES ('ready-probe', '1', ?) ON CONFLICT (key) DO UPDATE SET updated_at = excluded.updated_at` };

export function openStore(dataDir: string, options: OpenOptions = {}): Store {
  const { db, file } = openReadDb(dataDir);
  const writer = new SqlWriter(file, options.synchronous === "normal" ? "NORMAL" : "FULL", {
    ...DELIVERY_WRITES,
    ...OUTBOX_WRITES,
    ...CURSOR_WRITES,
    ...PING_WRITES,
    ...LOOP_WRITES,
    ...RUN_WRITES,
    ...SUPERVISOR_WRITES,
    ...JOB_WRITES,
    ...RETENTION_WRITES,
    ...SWEEP_WRITES,
    ...PROBE,
  });
  return {
    deliveries: new SqliteDeliveryStore(db, writer),
    outbox: new SqliteOutboxStore(db, writer),
    cursors: new SqliteCursorStore(db, writer),
    pings: new SqlitePingStore(db, writer),
    loops: new SqliteLoopStore(db, writer),
    runs: new SqliteRunStore(db, writer),
    supervisor: new SqliteSupervisorStore(db, writer),
    jobs: new SqliteJobStore(db, writer),
    retention: new SqliteRetentionStore(db, writer),
    sweeps: new SqliteSweepStore(db, writer),
    async writable() {
      return writer.healthy && (await writer.run("store.probe", [Date.now()]).then(() => true, () => false));
    },
    async close() {
      await writer.close();
      if (db.open) db.close();
    },
  };
}
