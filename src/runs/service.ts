import type { Clock } from "../clock.ts";
import type { GiteaOutbox } from "../gitea/outbox.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Redactor } from "../redact.ts";
import type { NewRun, Run, RunStore } from "../store/runs.ts";
import { recipeOf } from "../util/child-env.ts";
import { NotConfigured } from "./local-runner.ts";
import { logTail, type RunnerPort, type RunnerView } from "./runner-port.ts";
import { prLane, runLane, triggerKey } from "./lanes.ts";
import { outcomeOf, resultComment, RESULT_MARKER, STATUS_STATE, statusDescription, tiersOf, type Outcome } from "./report.ts";

export interface RunConfig {
  statusContext: string;
  timeoutMs: number;
  graceMs: number;
  /** The runner pool of a recipe repo (`testme.runner.pool`). */
  poolOf: (repo: string) => string;
}

export interface RunServiceDeps {
  runs: RunStore;
  outbox: Pick<GiteaOutbox, "enqueue">;
  runner: RunnerPort;
  config: RunConfig;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, "runs" | "runDuration" | "dispatchLatency">;
  runUrl: (id: number) => string;
  redact: Redactor;
  pollMs?: number;
}

/**
 * Runs of `!testme` (docs/design.md#testme-runs): a persistent FIFO queue with a global capacity and at most one
 * run per recipe repo at a time, as many at once as the runner backend offers slots; each run
 * handed to the backend (RunnerPort) once, so it outlives a restart of the bot and is adopted
 * again at start; its verdict taken from its exit status and reported through the outbox (status
 * first pending, then final, and one result comment per PR edited in place).
 */
export class RunService {
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> = Promise.resolve();
  private readonly listeners: Array<(run: Run) => Promise<void>> = [];
  /** Queued runs whose pool no live runner serves, by pool (the dashboard, `/api/runners`). */
  private readonly waiting = new Map<number, string>();
  /** Runs handed over and not yet seen running: when (dispatch latency). */
  private readonly handedAt = new Map<number, number>();

  constructor(private readonly d: RunServiceDeps) {}

  /** Adopts the runs still alive, ends the ones whose process is gone, starts what can start. */
  async start(): Promise<void> {
    const active = new Set(await this.d.runner.active().catch(() => []));
    for (const run of await this.d.runs.running()) {
      if (active.has(run.id)) this.d.log.info({ run: run.id, runner: this.d.runner.kind }, "adopted a run that outlived the previous bot process");
      // The previous process may have died between recording the start and queuing its status.
      await this.status(run, "pending", "running", "running");
    }
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.d.pollMs ?? 500);
    this.timer.unref();
  }

  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    return this.busy;
  }

  /** Checks the running runs and starts queued ones; one pass at a time. */
  tick(): Promise<void> {
    const next = this.busy.then(() => this.pass()).catch((err: unknown) => this.d.log.error({ err }, "run scheduling failed"));
    this.busy = next;
    return next;
  }

  /** Called after each run's final report is queued (a sweep learns its runs' ends). */
  onFinished(listener: (run: Run) => Promise<void>): void {
    this.listeners.push(listener);
  }

  /**
   * A run for this PR head and mode, or the one already queued or running (coalescing). A
   * request from a comment is a trigger (comment, head SHA, mode): asked again, after a crash
   * or a retry, it gets the decision it got the first time, so it never makes a second run.
   * `created` says whether the trigger created its run (a replay included).
   */
  async request(spec: NewRun): Promise<{ run: Run; created: boolean; position: number }> {
    const trigger = spec.commentId === null ? undefined : triggerKey(spec);
    const decided = trigger === undefined ? null : await this.d.runs.decision(trigger);
    if (decided) {
      // Made before a crash: the queued status may not have been, and goes out now unless the
      // run has moved on (its later statuses are queued by the run itself).
      if (decided.created && decided.run.state === "queued") await this.status(decided.run, "pending", `queued (position ${await this.position(decided.run.id)})`, "queued");
      return { ...decided, position: await this.position(decided.run.id) };
    }
    // A sweep's run is one per recipe per sweep: never folded into another sweep's.
    const existing = spec.sweepId == null ? await this.d.runs.active(spec.repo, spec.pr, spec.sha, spec.mode) : null;
    if (existing) {
      if (trigger !== undefined) await this.d.runs.coalesced(trigger, existing.id);
      return { run: existing, created: false, position: await this.position(existing.id) };
    }
    const run = await this.d.runs.create(spec, this.d.clock.now(), trigger);
    const position = await this.position(run.id);
    await this.status(run, "pending", `queued (position ${position})`, "queued");
    this.d.log.info({ run: run.id, repo: run.repo, pr: run.pr, sha: run.sha, mode: run.mode }, "run queued");
    void this.tick();
    return { run, created: true, position };
  }

  /** Cancels a queued or running run; its final status says why. */
  async cancel(run: Run, reason: string): Promise<void> {
    if (run.state === "queued") {
      await this.finish(run, { verdict: "ERROR", reason, exitCode: null });
      return;
    }
    if (run.state === "running") {
      await this.d.runner.cancel(run.id, reason);
      this.d.log.info({ run: run.id, reason }, "cancelling run");
    }
  }

  /** The PR head moved: runs of older heads are cancelled (or kept, by configuration). */
  async supersede(repo: string, pr: number, headSha: string, mode: "cancel" | "keep"): Promise<number> {
    if (mode === "keep") return 0;
    let n = 0;
    for (const run of await this.d.runs.activeForPr(repo, pr)) {
      if (run.sha === headSha) continue;
      await this.cancel(run, `superseded by ${headSha.slice(0, 7)}`);
      n++;
    }
    return n;
  }

  /** 1 for the first run waiting, 0 once it runs. */
  async position(id: number): Promise<number> {
    const queued = await this.d.runs.queued();
    return queued.findIndex((r) => r.id === id) + 1;
  }

  private async pass(): Promise<void> {
    const { runs, runner } = this.d;
    for (const run of await runs.running()) {
      let view: RunnerView;
      try {
        view = await runner.inspect(run.id);
      } catch (err) {
        // The engine does not answer: the run is where it was; look again on the next pass.
        this.d.log.debug({ err, run: run.id }, "could not inspect a run");
        continue;
      }
      if (view.state === "running") this.observeDispatch(run.id);
      if (view.state === "ended") await this.finish(run, outcomeOf(view.exit, this.d.config.timeoutMs, view.cancelReason ?? view.lost));
      else if (view.state === "unknown") await this.finish(run, outcomeOf(null, this.d.config.timeoutMs, this.d.runner.kind === "local" ? "the run's process was lost" : "the runner engine lost the run"));
    }
    let capacity;
    try {
      capacity = await runner.capacity();
    } catch (err) {
      this.d.log.debug({ err }, "could not read the runners' capacity");
      return;
    }
    const running = await runs.running();
    const repos = new Set(running.map((r) => r.repo.toLowerCase()));
    const inPool = new Map<string, number>();
    for (const r of running) inPool.set(this.d.config.poolOf(r.repo), (inPool.get(this.d.config.poolOf(r.repo)) ?? 0) + 1);
    let free = capacity.slots - running.length;
    for (const run of await runs.queued()) {
      const pool = this.d.config.poolOf(run.repo);
      if (capacity.pools !== null && (capacity.pools[pool] ?? 0) === 0) {
        // No live runner serves its pool: the run waits, and says so once.
        if (!this.waiting.has(run.id)) await this.status(run, "pending", `waiting for a runner in pool ${pool}`, "waiting");
        this.waiting.set(run.id, pool);
        continue;
      }
      this.waiting.delete(run.id);
      if (free <= 0 || repos.has(run.repo.toLowerCase())) continue;
      if (capacity.pools !== null && capacity.pools[pool]! - (inPool.get(pool) ?? 0) <= 0) continue;
      repos.add(run.repo.toLowerCase());
      inPool.set(pool, (inPool.get(pool) ?? 0) + 1);
      free--;
      await this.launch(run, pool);
    }
  }

  private async launch(run: Run, pool: string): Promise<void> {
    const { timeoutMs, graceMs } = this.d.config;
    const env: Record<string, string> = {
      CCCI_RUN_ID: String(run.id),
      CCCI_REPO: run.repo,
      CCCI_RECIPE: recipeOf(run.repo),
      CCCI_TRIGGER: run.trigger,
      // A sweep tests a branch head: there is no PR to name.
      ...(run.sweepId === null ? { CCCI_PR: String(run.pr) } : {}),
      CCCI_SHA: run.sha,
      CCCI_REF: run.ref,
      CCCI_CLONE_URL: run.cloneUrl,
      CCCI_QUICK: run.mode === "quick" ? "1" : "0",
      CCCI_RUN_URL: this.d.runUrl(run.id),
    };
    let dispatched: { adopted: boolean; handle: number };
    this.handedAt.set(run.id, this.d.clock.now());
    try {
      dispatched = await this.d.runner.dispatch({ runId: run.id, pool, env, timeoutMs, graceMs });
    } catch (err) {
      const reason = err instanceof NotConfigured ? err.message : `the runner could not start: ${(err as Error).message}`;
      if (err instanceof NotConfigured || this.d.runner.kind === "local") await this.finish(run, { verdict: "ERROR", reason, exitCode: null });
      // A remote engine that does not answer: the run stays queued and is dispatched later.
      else this.d.log.warn({ err, run: run.id }, "could not hand the run to the runner engine; it stays queued");
      return;
    }
    await this.d.runs.started(run.id, dispatched.handle, this.d.clock.now());
    await this.status(run, "pending", "running", "running");
    if (dispatched.adopted) this.d.log.info({ run: run.id }, "adopted a run launched just before the previous bot process ended");
    else this.d.log.info({ run: run.id, runner: this.d.runner.kind, pool }, "run started");
  }

  /** Queued runs waiting for a pool no live runner serves: run id -> pool. */
  waitingForPool(): ReadonlyMap<number, string> {
    return this.waiting;
  }

  private observeDispatch(runId: number): void {
    const at = this.handedAt.get(runId);
    if (at === undefined) return;
    this.handedAt.delete(runId);
    this.d.metrics.dispatchLatency.observe((this.d.clock.now() - at) / 1000);
  }

  /**
   * Reports first, then records the run as finished: a crash in between leaves the run
   * running, the next pass finishes it again, and the reports' keys (one per run) keep them
   * single. The other order would lose them: a finished run is never looked at again.
   */
  private async finish(run: Run, o: Outcome): Promise<void> {
    const now = this.d.clock.now();
    this.observeDispatch(run.id);
    this.waiting.delete(run.id);
    const elapsed = run.startedAt === null ? 0 : now - run.startedAt;
    const tiers = tiersOf(this.d.runner.results(run.id));
    const description = statusDescription(o, elapsed, tiers);
    await this.status(run, STATUS_STATE[o.verdict], description, "final");
    if (run.sweepId === null) {
      const body = resultComment(run, o, elapsed, this.d.runUrl(run.id), tiers, this.d.redact(logTail(this.d.runner, run.id, 64 * 1024)));
      const [owner, repo] = run.repo.split("/") as [string, string];
      await this.d.outbox.enqueue(`result:${run.id}`, prLane(run.repo, run.pr), { op: "upsertComment", owner, repo, number: run.pr, marker: RESULT_MARKER, body });
    }
    if (!(await this.d.runs.finished(run.id, o.verdict, o.reason, o.exitCode, now))) return;
    this.d.metrics.runs.inc({ verdict: o.verdict });
    if (run.startedAt !== null) this.d.metrics.runDuration.observe(elapsed / 1000);
    this.d.log.info({ run: run.id, verdict: o.verdict, reason: o.reason }, "run finished");
    for (const listener of this.listeners) {
      await listener(run).catch((err: unknown) => this.d.log.error({ err, run: run.id }, "a run-finished listener failed"));
    }
  }

  /** Each step's status once per run, never after a later step's (so never a pending after the final). */
  private async status(run: Run, state: "pending" | "success" | "failure" | "error", description: string, step: "queued" | "waiting" | "running" | "final"): Promise<void> {
    const [owner, repo] = run.repo.split("/") as [string, string];
    const write = { op: "setStatus", owner, repo, sha: run.sha, state, context: this.d.config.statusContext, description, targetUrl: this.d.runUrl(run.id) } as const;
    const later = { queued: ["waiting", "running", "final"], waiting: ["running", "final"], running: ["final"], final: [] }[step];
    await this.d.outbox.enqueue(`status:${run.id}:${step}`, runLane(run), write, { unless: later.map((s) => `status:${run.id}:${s}`) });
  }
}
