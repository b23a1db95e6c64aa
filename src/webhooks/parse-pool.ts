import { Worker } from "node:worker_threads";
import type { Logger } from "../log.ts";
import type { ParseResult } from "./events.ts";
import type { EventKind } from "./identify.ts";
import { parseBody } from "./parse-body.ts";
import type { ParseJob } from "./parse-worker.ts";

// Built (dist/*.js), the worker's module runs as it is; from the sources, through a bootstrap
// that registers the TypeScript loader in the worker first.
const WORKER = import.meta.url.endsWith(".ts") ? new URL("./parse-worker-tsx.mjs", import.meta.url) : new URL("./parse-worker.js", import.meta.url);

export interface ParsePoolOptions {
  /** Bodies up to this size are parsed on the event loop: a few milliseconds at most. */
  inlineBytes: number;
  /** Large bodies waiting for the parser thread, in bytes; beyond, a delivery is refused (busy). */
  maxQueuedBytes: number;
  /** The parser thread's heap; a body that needs more is refused and the thread restarted. */
  maxHeapMb: number;
  /**
   * The parser thread ends after this long without work: a thread's heap, grown by one large
   * body, is given back to the system only when the thread ends (docs/design.md#performance-targets: memory back to its
   * baseline within a minute after a burst).
   */
  idleMs: number;
  log: Logger;
}

/**
 * Parses a delivery's signed bytes, off the event loop when they are large. JSON.parse of a
 * few megabytes of many small values takes up to a second and holds the loop all that time
 * (docs/design.md#performance-targets: no delivery may delay another's answer by more than 100 ms), so bodies over
 * `inlineBytes` go, one at a time, to a parser thread that hands back the small normalised event.
 */
export class ParsePool {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, { resolve: (r: ParseResult | "busy") => void; bytes: number }>();
  private queuedBytes = 0;
  private seq = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly o: ParsePoolOptions) {}

  parse(kind: EventKind, type: string | null, body: Buffer): Promise<ParseResult | "busy"> {
    if (body.length <= this.o.inlineBytes) return Promise.resolve(parseBody(kind, type, body));
    if (this.queuedBytes + body.length > this.o.maxQueuedBytes) return Promise.resolve("busy");
    const worker = this.start();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const id = ++this.seq;
    // Handed over, not copied, when the body owns its memory (a large Buffer.concat does).
    const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : Buffer.from(body);
    this.queuedBytes += body.length;
    return new Promise((resolve) => {
      this.waiting.set(id, { resolve, bytes: body.length });
      const job: ParseJob = { id, kind, type, body: own };
      worker.postMessage(job, [own.buffer as ArrayBuffer]);
    });
  }

  /** Whether the parser thread is running (it starts with the first large body). */
  get running(): boolean {
    return this.worker !== null;
  }

  async stop(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
    this.fail("the bot is stopping");
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER, {
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: this.o.maxHeapMb },
    });
    w.unref();
    w.on("message", (m: { id: number; result: ParseResult }) => {
      const entry = this.waiting.get(m.id);
      if (!entry) return;
      this.waiting.delete(m.id);
      this.queuedBytes -= entry.bytes;
      entry.resolve(m.result);
      if (this.waiting.size === 0) this.endWhenIdle(w);
    });
    const lost = (why: string) => {
      if (this.worker !== w) return;
      this.worker = null;
      this.o.log.warn({ reason: why }, "parser thread ended; a new one starts with the next large delivery");
      this.fail(`the body could not be parsed: ${why}`);
    };
    w.on("error", (err) => lost(err.message));
    w.on("exit", (code) => lost(`parser thread exited with code ${code}`));
    this.worker = w;
    return w;
  }

  private endWhenIdle(w: Worker): void {
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.worker !== w || this.waiting.size > 0) return;
      this.worker = null;
      void w.terminate();
    }, this.o.idleMs);
    this.idleTimer.unref();
  }

  private fail(error: string): void {
    for (const [id, entry] of this.waiting) {
      this.waiting.delete(id);
      this.queuedBytes -= entry.bytes;
      entry.resolve({ ok: false, error });
    }
  }
}
