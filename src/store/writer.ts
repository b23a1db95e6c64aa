import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";

export type Params = unknown[] | Record<string, unknown>;

interface Pending {
  name: string;
  params: Params;
  resolve: (r: { changes: number; lastId: number }) => void;
  reject: (err: Error) => void;
}

type Result = { ok: true; changes: number; lastId: number } | { ok: false; error: string };

/** A commit's answer: one result per write of the batch, in order. */
interface Committed {
  id: number;
  results: Result[];
}

/**
 * Group commit on a writer thread. Every write issued during one turn of the event loop goes
 * to the writer as one batch, runs there in one transaction, and each caller's promise
 * settles after that commit. One fsync per write would cap intake at the disk's sync rate,
 * and an fsync on the main thread would stall every request behind it (docs/design.md#performance-targets); here the
 * event loop keeps reading the next deliveries while the disk syncs the last batch.
 *
 * A commit's answer comes back on a channel of its own, and the next write takes it from there
 * at once if it is waiting (`receiveMessageOnPort`). Under load the event loop would otherwise
 * see it only after every request that arrived during the commit: answers waited about as long
 * as the commit itself, and the next batch with them (docs/benchmarks.md#intake-handoff-and-testme).
 */
export class SqlWriter {
  private readonly worker: Worker;
  private readonly answers: MessagePort;
  private queue: Pending[] = [];
  private scheduled = false;
  private nextId = 1;
  private readonly inFlight = new Map<number, { items: Pending[]; done: () => void }>();
  private readonly batches = new Set<Promise<void>>();
  private closed = false;
  private failure: Error | null = null;

  constructor(file: string, synchronous: "FULL" | "NORMAL", statements: Record<string, string | string[]>) {
    const { port1, port2 } = new MessageChannel();
    this.answers = port1;
    this.worker = new Worker(new URL("./writer-worker.mjs", import.meta.url), {
      workerData: { file, synchronous, statements, answers: port2 },
      transferList: [port2],
    });
    this.answers.on("message", (m: Committed) => this.settle(m));
    this.worker.on("error", (err) => this.fail(err));
    this.worker.on("exit", (code) => this.fail(new Error(`store writer stopped (exit ${code})`)));
  }

  /** Runs a named write; resolves with the number of rows it changed, after its commit. */
  async run(name: string, params: Params): Promise<number> {
    return (await this.write(name, params)).changes;
  }

  /** Runs a named insert; resolves with the new row's id, after its commit. */
  async insert(name: string, params: Params): Promise<number> {
    return (await this.write(name, params)).lastId;
  }

  /** Runs a named write; resolves with the rows it changed and the last row id it inserted, after its commit. */
  write(name: string, params: Params): Promise<{ changes: number; lastId: number }> {
    if (this.closed || this.failure) return Promise.reject(this.failure ?? new Error("the store is closed"));
    if (this.inFlight.size > 0) {
      const answer = receiveMessageOnPort(this.answers);
      if (answer) this.settle(answer.message as Committed);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ name, params, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private settle(m: Committed): void {
    const batch = this.inFlight.get(m.id);
    if (!batch) return;
    this.inFlight.delete(m.id);
    batch.done();
    // The next batch holds everything that arrived while this one committed.
    if (this.queue.length > 0 && !this.scheduled) this.flush();
    batch.items.forEach((p, i) => {
      const r = m.results[i];
      if (r?.ok) p.resolve({ changes: r.changes, lastId: r.lastId });
      else p.reject(new Error(`store write ${p.name} failed: ${r ? r.error : "no result"}`));
    });
  }

  get healthy(): boolean {
    return !this.closed && this.failure === null;
  }

  /** Sends what is queued, waits for every write to commit, and stops the writer. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    await Promise.all(this.batches);
    if (this.failure) return;
    const closed = new Promise<void>((r) => this.worker.once("message", () => r()));
    this.worker.postMessage({ close: true });
    await closed;
    await this.worker.terminate();
    this.answers.close();
  }

  private flush(): void {
    this.scheduled = false;
    // One commit at a time: while it runs, writes gather into the next, larger batch.
    if (this.queue.length === 0 || (this.inFlight.size > 0 && !this.closed)) return;
    const batch = this.queue;
    this.queue = [];
    const id = this.nextId++;
    const settled = new Promise<void>((done) => this.inFlight.set(id, { items: batch, done }));
    this.batches.add(settled);
    void settled.then(() => this.batches.delete(settled));
    this.worker.postMessage({ id, ops: batch.map((p) => ({ name: p.name, params: p.params })) });
  }

  private fail(err: Error): void {
    if (this.closed && !this.failure && this.inFlight.size === 0) return;
    this.failure ??= err;
    this.answers.close();
    for (const batch of this.inFlight.values()) {
      batch.done();
      for (const p of batch.items) p.reject(err);
    }
    this.inFlight.clear();
    for (const p of this.queue) p.reject(err);
    this.queue = [];
  }
}
