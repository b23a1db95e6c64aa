/** A unit of work; jobs of one lane never run at the same time. */
export interface LaneJob {
  id: string;
  lane: string;
  run(): Promise<void>;
}

export interface LaneRunnerOptions {
  concurrency: number;
  /** How often to look for work without a wake-up (retries coming due, work written by another process). */
  pollMs: number;
  /** Told when the poll or a `wakeIn` timer fires, just before it looks (work that came due, or was written by another process). */
  onTimer?: () => void;
  /** Up to `free` jobs ready now, none of them in `busyLanes`. */
  next(free: number, busyLanes: ReadonlySet<string>): Promise<LaneJob[]>;
  onError(err: unknown, job: LaneJob): void;
}

/**
 * Runs stored work with bounded concurrency, one job per lane at a time. Shared by the
 * delivery dispatcher and the outbox worker: woken when work is written, and polled for
 * retries that come due.
 */
export class LaneRunner {
  private readonly busyLanes = new Set<string>();
  private readonly running = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private readonly soon = new Set<NodeJS.Timeout>();
  private filling = false;
  private again = false;
  private stopped = true;

  constructor(private readonly o: LaneRunnerOptions) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.timed(), this.o.pollMs);
    this.timer.unref();
    this.wake();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.filling) {
      this.again = true;
      return;
    }
    this.filling = true;
    void this.fill()
      .catch((err: unknown) => this.o.onError(err, { id: "(lookup)", lane: "", run: async () => {} }))
      .finally(() => {
        this.filling = false;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Whether a job of this lane is running (it looks for more of its lane when it ends). */
  isBusy(lane: string): boolean {
    return this.busyLanes.has(lane);
  }

  /** Looks for work again after `ms` (a retry coming due), sooner than the next poll. */
  wakeIn(ms: number): void {
    if (this.stopped || ms >= this.o.pollMs) return;
    const t = setTimeout(() => {
      this.soon.delete(t);
      this.timed();
    }, ms);
    t.unref();
    this.soon.add(t);
  }

  private timed(): void {
    this.o.onTimer?.();
    this.wake();
  }

  /** Stops taking work and waits for the jobs already running. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const t of this.soon) clearTimeout(t);
    this.soon.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Resolves when no job is running and no lookup is under way. */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.filling) {
      await Promise.allSettled([...this.running.values()]);
      await new Promise((r) => setImmediate(r));
    }
  }

  private async fill(): Promise<void> {
    const free = this.o.concurrency - this.running.size;
    if (free <= 0) return;
    const jobs = await this.o.next(free, this.busyLanes);
    for (const job of jobs) {
      if (this.running.size >= this.o.concurrency) break;
      if (this.running.has(job.id) || this.busyLanes.has(job.lane)) continue;
      this.busyLanes.add(job.lane);
      const p = job
        .run()
        .catch((err: unknown) => this.o.onError(err, job))
        .finally(() => {
          this.busyLanes.delete(job.lane);
          this.running.delete(job.id);
          this.wake();
        });
      this.running.set(job.id, p);
    }
  }
}

/** A worker driven by a LaneRunner: the start/wake/stop/idle every such worker offers. */
export abstract class LaneWorker {
  protected abstract readonly runner: LaneRunner;

  start(): void {
    this.runner.start();
  }

  /** Work was written (or came due): look now. */
  wake(): void {
    this.runner.wake();
  }

  /** Stops taking work and waits for the jobs already running. */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  /** Resolves when nothing is running. */
  idle(): Promise<void> {
    return this.runner.idle();
  }
}
