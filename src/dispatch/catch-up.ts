import type { Clock } from "../clock.ts";
import type { Config } from "../config/schema.ts";
import { makeTestmeEnrolment } from "../config/enrolment.ts";
import type { Mirrors } from "../git/mirrors.ts";
import type { GiteaPort } from "../gitea/port.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/index.ts";
import { CommentSweep } from "./comment-sweep.ts";
import { LoopSweep } from "../loops/sweep.ts";

/**
 * Gitea never retries a delivery: the catch-up looks for what it did not send — pushes on the
 * loop repos, comments on the recipe PRs — at start, every `supervisor.sweepMinutes`, and once
 * more at stop; what it finds is queued as deliveries and `onQueued` wakes the dispatcher.
 */
export class CatchUp {
  readonly loops: LoopSweep;
  readonly comments: CommentSweep;
  private timer: NodeJS.Timeout | null = null;

  constructor(d: { config: Config; mirrors: Mirrors; gitea: GiteaPort; store: Store; clock: Clock; log: Logger; onQueued: () => void }) {
    const log = d.log.child({ component: "sweep" });
    this.loops = new LoopSweep({ loops: d.config.loops, mirrors: d.mirrors, store: d.store, clock: d.clock, log, onQueued: d.onQueued });
    this.comments = new CommentSweep({
      patterns: d.config.testme.repos,
      isTestmeRepo: makeTestmeEnrolment(d.config),
      gitea: d.gitea,
      giteaUrl: d.config.gitea.url,
      store: d.store,
      clock: d.clock,
      log,
      onQueued: d.onQueued,
    });
  }

  sweep(): Promise<unknown> {
    return Promise.all([this.loops.sweep(), this.comments.sweep()]);
  }

  start(everyMs: number): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), everyMs);
    this.timer.unref();
  }

  /** The last look, so what arrived while stopping is stored for the next start. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweep().catch(() => undefined);
  }
}
