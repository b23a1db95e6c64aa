import type { Clock } from "../clock.ts";
import { singleFlight } from "../util/single-flight.ts";
import type { LoopConfig } from "../config/schema.ts";
import type { Mirrors } from "../git/mirrors.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/index.ts";
import { headCursor } from "./relay.ts";
import type { PushEvent } from "../webhooks/events.ts";
import { storeAsDelivery } from "../webhooks/synthetic.ts";

export interface LoopSweepDeps {
  loops: readonly LoopConfig[];
  mirrors: Pick<Mirrors, "for">;
  store: Pick<Store, "cursors" | "deliveries">;
  clock: Clock;
  log: Logger;
  /** Told when a gap was stored as a push to process. */
  onQueued: () => void;
}

/**
 * The loop half of the catch-up sweep (docs/design.md#catch-up-sweeps): Gitea never retries a delivery, so at
 * startup and every few minutes each loop's branch is fetched, and a gap between the last
 * processed head and the remote head is stored as a push delivery from one to the other.
 * It then runs exactly as a push, through the same handler and the same exactly-once marks;
 * and since it carries the same content key as the real push to that head would, whichever
 * arrives second is a duplicate. The first sweep of a loop records a baseline and pings nothing.
 */
export class LoopSweep {
  /** One sweep at a time; a call during a sweep waits for that one. */
  readonly sweep = singleFlight(() => this.once());

  constructor(private readonly d: LoopSweepDeps) {}

  private async once(): Promise<void> {
    for (const loop of this.d.loops) {
      try {
        await this.sweepLoop(loop);
      } catch (err) {
        this.d.log.warn({ err, loop: loop.name }, "catch-up sweep could not check the loop repo");
      }
    }
    this.d.log.debug({ loops: this.d.loops.length }, "catch-up sweep of loop repos done");
  }

  private async sweepLoop(loop: LoopConfig): Promise<void> {
    const { cursors, deliveries } = this.d.store;
    const head = await this.d.mirrors.for(loop).fetchHead();
    const last = await cursors.get(headCursor(loop));
    if (last === null) {
      await cursors.set(headCursor(loop), head, this.d.clock.now());
      this.d.log.info({ loop: loop.name, head }, "loop baseline recorded; history before it is not pinged");
      return;
    }
    if (last === head) return;
    const ref = `refs/heads/${loop.branch}`;
    const push: PushEvent = { kind: "push", repo: loop.repo, ref, before: last, after: head, commits: [], totalCommits: 0, cloneUrl: null, sender: null };
    if (await storeAsDelivery(deliveries, { id: `sweep-${loop.name}-${head}`, event: "push", typed: push, receivedAt: this.d.clock.now() })) {
      this.d.log.info({ loop: loop.name, from: last, to: head }, "catch-up: commits no delivery announced, queued as a push");
      this.d.onQueued();
    }
  }
}
