// The store's writer thread: runs each batch of named write statements in one transaction
// on its own connection, so fsyncs and WAL checkpoints never block the event loop. Each batch's
// results go back on the answers channel (writer.ts takes them from there).
// Plain JavaScript so it loads in a worker without a TypeScript loader.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const db = new Database(workerData.file);
db.pragma("journal_mode = WAL");
db.pragma(`synchronous = ${workerData.synchronous}`);
db.pragma("foreign_keys = ON");
db.pragma("busy_timeout = 5000");

// A named write is one statement or several run in order; it reports the rows changed by the
// first. Several statements take either the same named parameters (an object) or a list of
// positional parameters each (an array of arrays): positional binding costs less than named
// binding, which matters for the insert every delivery makes.
const statements = new Map(
  Object.entries(workerData.statements).map(([name, sql]) => [name, (Array.isArray(sql) ? sql : [sql]).map((s) => db.prepare(s))]),
);

function exec(op) {
  const list = statements.get(op.name);
  if (!list) throw new Error(`unknown write statement ${op.name}`);
  const each = list.length > 1 && Array.isArray(op.params);
  let first;
  list.forEach((statement, i) => {
    const params = each ? op.params[i] : op.params;
    const r = Array.isArray(params) ? statement.run(...params) : statement.run(params);
    if (i === 0) first = r;
  });
  return { ok: true, changes: first.changes, lastId: Number(first.lastInsertRowid) };
}

const batch = db.transaction((ops) => ops.map(exec));

parentPort.on("message", (message) => {
  if (message.close) {
    db.close();
    parentPort.postMessage({ closed: true });
    return;
  }
  let results;
  try {
    results = batch(message.ops);
  } catch {
    // One bad write must not take the others down: retry each alone.
    results = message.ops.map((op) => {
      try {
        return db.transaction(() => exec(op))();
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    });
  }
  workerData.answers.postMessage({ id: message.id, results });
});
