import type { Clock } from "../clock.ts";
import type { LoopConfig } from "../config/schema.ts";
import type { Mirrors } from "../git/mirrors.ts";
import { ZERO_SHA } from "../git/mirror.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Store } from "../store/index.ts";
import type { PushEvent } from "../webhooks/events.ts";
import { listedCommits } from "./listed.ts";
import { pingText, planPings, shasOf } from "./plan.ts";
import type { MirrorCommit } from "../git/mirror.ts";
import type { Phases } from "./phases.ts";
import type { Pings } from "./pings.ts";

export interface HandoffDeps {
  loops: readonly LoopConfig[];
  mirrors: Pick<Mirrors, "for">;
  store: Pick<Store, "pings" | "cursors" | "loops">;
  pings: Pick<Pings, "send">;
  phases: Pick<Phases, "check">;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, "pings" | "alerts">;
  /** The orchestrator's tmux session, told about force-pushes; null when none is configured. */
  orchestratorSession: string | null;
}

export function headCursor(loop: LoopConfig): string {
  return `loop:${loop.name}:head`;
}

/**
 * The handoff relay (docs/design.md#handoff-relay): a push to a loop repo's branch becomes at most one ping per
 * role, listing the new commits that concern it, read from the mirror over the whole range
 * (the payload lists five at most; a complete listing is pinged before the fetch, see
 * listed.ts). Each (repo, commit, role) pings once, ever: redeliveries, restarts and catch-up
 * sweeps find the marks and stay quiet. A force-push raises an alert and re-baselines; history
 * rewritten away is never pinged. Then the phase sequence is checked.
 */
export class HandoffRelay {
  constructor(private readonly d: HandoffDeps) {}

  /** Relays one push (the payload's or a catch-up sweep's); `receivedAt` starts the latency clock. */
  async onPush(e: PushEvent, receivedAt: number, log: Logger): Promise<void> {
    const d = this.d;
    const loop = d.loops.find((l) => l.repo.toLowerCase() === e.repo.toLowerCase());
    if (!loop || e.ref !== `refs/heads/${loop.branch}` || ZERO_SHA.test(e.after)) return;
    const mirror = d.mirrors.for(loop);
    const { cursors } = d.store;
    // A fast-forward from the recorded head whose payload lists every commit: its claim/review
    // pings go out now, typed while the fetch below runs (listed.ts says why this is safe).
    const listed = listedCommits(e, await cursors.get(headCursor(loop)));
    if (listed) await relay(d, loop, e.repo, listed, receivedAt);
    await mirror.fetch();
    const cursor = await cursors.get(headCursor(loop));
    const now = () => d.clock.now();

    if (ZERO_SHA.test(e.before)) {
      // A new branch: no backlog to announce, only a baseline.
      await cursors.set(headCursor(loop), e.after, now());
    } else if (!(await mirror.isAncestor(e.before, e.after))) {
      // Only a commit the mirror has can prove a rewrite; a missing one is an error to retry.
      await mirror.mustHave(e.after);
      await forcePush(d, loop, e, log);
      await cursors.set(headCursor(loop), e.after, now());
    } else {
      // What this push brings that neither its `before` nor what was already processed has.
      const commits = await mirror.commits(e.after, cursor === null ? [e.before] : [e.before, cursor]);
      await relay(d, loop, e.repo, commits, receivedAt);
      // Consecutive pushes (cursor = before) need no second ancestry check.
      if (cursor === null || cursor === e.before || (await mirror.isAncestor(cursor, e.after))) await cursors.set(headCursor(loop), e.after, now());
    }
    await d.phases.check(loop, e.after, (sha, path) => mirror.show(sha, path));
  }
}

async function relay(d: HandoffDeps, loop: LoopConfig, repo: string, commits: MirrorCommit[], receivedAt: number) {
  for (const planned of planPings(commits, loop)) {
    const already = await d.store.pings.marked(repo, planned.role, shasOf(planned));
    const fresh = { ...planned, entries: planned.entries.filter((e) => !already.has(e.sha)) };
    if (fresh.entries.length === 0) continue;
    const session = loop.sessions[planned.role]?.session ?? null;
    await d.pings.send({ loop: loop.name, role: planned.role, session, text: pingText(loop.name, fresh), receivedAt, repo, shas: shasOf(fresh) });
    d.metrics.pings.inc({ role: planned.role, outcome: "queued" });
  }
}

async function forcePush(d: HandoffDeps, loop: LoopConfig, e: PushEvent, log: Logger) {
  const message = `force-push on ${e.repo} ${loop.branch}: ${e.before.slice(0, 7)} is not an ancestor of ${e.after.slice(0, 7)}; rewritten commits are not pinged, the loop is re-baselined at ${e.after.slice(0, 7)}`;
  log.warn({ loop: loop.name, before: e.before, after: e.after }, message);
  d.metrics.alerts.inc({ kind: "force-push" });
  await d.store.loops.alert("force-push", loop.name, message, d.clock.now());
  if (d.orchestratorSession) await d.pings.send({ loop: loop.name, role: "orchestrator", session: d.orchestratorSession, text: `[cc-ci-bot] alert: ${message}`, repo: e.repo });
}
