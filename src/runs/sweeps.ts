import type { Clock } from "../clock.ts";
import type { Config } from "../config/schema.ts";
import { globToRegExp } from "../config/enrolment.ts";
import type { GiteaPort } from "../gitea/port.ts";
import type { GiteaOutbox } from "../gitea/outbox.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Run, RunMode } from "../store/runs.ts";
import type { Store } from "../store/index.ts";
import type { Sweep, SweepCause } from "../store/sweeps.ts";
import type { RunnerPort } from "./runner-port.ts";
import { tiersOf } from "./report.ts";
import type { RunService } from "./service.ts";
import { enrolledRepos } from "./sweep-repos.ts";
import { buildSweepReport, sweepIssueBody, type SweepReport } from "./sweep-report.ts";

export interface SweepServiceDeps {
  config: Pick<Config, "testme">;
  isTestmeRepo: (repo: string) => boolean;
  gitea: Pick<GiteaPort, "orgRepos" | "userRepos" | "defaultBranchHead">;
  runs: Pick<RunService, "request" | "onFinished">;
  store: Pick<Store, "sweeps" | "runs">;
  outbox: Pick<GiteaOutbox, "enqueue">;
  runner: Pick<RunnerPort, "results">;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, "sweeps" | "sweepRecipes" | "sweepDuration">;
  runUrl: (id: number) => string;
  sweepUrl: (id: number) => string;
}

export interface SweepRequest {
  key: string;
  cause: SweepCause;
  mode: RunMode;
  requestedBy: string;
}

/**
 * Sweeps (docs/design.md#scheduled-sweeps): one run per enrolled recipe on the head of its default branch, through the
 * same queue, capacity and one-run-per-recipe rule as PR runs (the queue puts PR runs first).
 * When a sweep's last run ends, its report is counted in the metrics and, when configured,
 * posted as one new issue through the outbox.
 */
export class SweepService {
  /** Sweeps still queueing their runs: one that ends early is not complete yet. */
  private readonly starting = new Set<number>();

  constructor(private readonly d: SweepServiceDeps) {
    d.runs.onFinished((run) => this.runFinished(run));
  }

  /** Starts the sweep of this key, or returns the one a previous call with the key started. */
  async start(req: SweepRequest): Promise<{ sweep: Sweep; created: boolean; runs: number }> {
    const { sweep, created } = await this.d.store.sweeps.create(req, this.d.clock.now());
    if (sweep.queuedAt === null && !this.starting.has(sweep.id)) await this.fill(sweep);
    return { sweep: (await this.d.store.sweeps.get(sweep.id))!, created, runs: (await this.d.store.runs.ofSweep(sweep.id)).length };
  }

  /** At start: sweeps the previous process did not finish queueing get their missing runs. */
  async resume(): Promise<void> {
    for (const sweep of await this.d.store.sweeps.unqueued()) {
      this.d.log.info({ sweep: sweep.id }, "resuming a sweep whose runs were not all queued");
      await this.fill(sweep);
    }
  }

  /** Queues a run for each enrolled recipe that has none in this sweep yet. */
  private async fill(sweep: Sweep): Promise<void> {
    const { store, log } = this.d;
    this.starting.add(sweep.id);
    try {
      const have = new Set((await store.runs.ofSweep(sweep.id)).map((r) => r.repo.toLowerCase()));
      const { repos, failed } = await enrolledRepos(this.d.config.testme.repos, this.d.isTestmeRepo, this.d.gitea, log);
      let n = 0;
      for (const repo of repos.filter((r) => !have.has(r.toLowerCase()))) {
        const [owner, name] = repo.split("/") as [string, string];
        try {
          const head = await this.d.gitea.defaultBranchHead(owner, name);
          const spec = { repo, pr: 0, sha: head.sha, ref: head.branch, cloneUrl: head.cloneUrl, mode: sweep.mode, requestedBy: sweep.requestedBy, commentId: null };
          await this.d.runs.request({ ...spec, trigger: sweep.cause, sweepId: sweep.id });
          n++;
        } catch (err) {
          log.warn({ err, repo, sweep: sweep.id }, "sweep could not read the recipe's default branch; skipped");
          failed.push({ repo, reason: `could not read the default branch: ${(err as Error).message}` });
        }
      }
      await store.sweeps.queued(sweep.id, failed, this.d.clock.now());
      if (have.size === 0) this.d.metrics.sweeps.inc({ trigger: sweep.cause });
      log.info({ sweep: sweep.id, cause: sweep.cause, mode: sweep.mode, runs: have.size + n, skipped: failed.length }, "sweep queued");
    } finally {
      this.starting.delete(sweep.id);
    }
    // Runs that ended while the others were being queued did not complete the sweep.
    if ((await store.runs.ofSweep(sweep.id)).every((r) => r.state === "finished")) await this.complete(sweep.id);
  }

  async report(id: number): Promise<SweepReport | null> {
    const sweep = await this.d.store.sweeps.get(id);
    if (!sweep) return null;
    const runs = await this.d.store.runs.ofSweep(id);
    return buildSweepReport(sweep, runs, (repo) => this.d.store.runs.sweepHistory(repo, id, 100), (runId) => tiersOf(this.d.runner.results(runId)));
  }

  private async runFinished(run: Run): Promise<void> {
    if (run.sweepId === null || this.starting.has(run.sweepId)) return;
    if ((await this.d.store.sweeps.get(run.sweepId))?.queuedAt == null) return;
    const runs = await this.d.store.runs.ofSweep(run.sweepId);
    if (runs.every((r) => r.state === "finished")) await this.complete(run.sweepId);
  }

  private async complete(id: number): Promise<void> {
    const now = this.d.clock.now();
    if (!(await this.d.store.sweeps.finished(id, now))) return;
    const report = (await this.report(id))!;
    const { metrics } = this.d;
    for (const v of ["GREEN", "RED", "ERROR"] as const) metrics.sweepRecipes.set({ verdict: v }, report.counts[v]);
    metrics.sweepDuration.observe((now - report.sweep.createdAt) / 1000);
    this.d.log.info({ sweep: id, ...report.counts }, "sweep finished");
    const cfg = this.d.config.testme.report;
    if (!cfg) return;
    const [owner, repo] = cfg.repo.split("/") as [string, string];
    const { GREEN, RED, ERROR } = report.counts;
    const title = `${cfg.title} #${id} (${new Date(report.sweep.createdAt).toISOString().slice(0, 10)}): ${GREEN} green, ${RED + ERROR} red`;
    const body = sweepIssueBody(report, { sweepUrl: this.d.sweepUrl(id), runUrl: this.d.runUrl, mentions: (r) => this.mentions(r) });
    await this.d.outbox.enqueue(`sweep-report:${id}`, `report:${cfg.repo.toLowerCase()}`, { op: "createIssue", owner, repo, title, body });
  }

  /** Who hears of a recipe newly red: the configured maintainers, else the repo's owner. */
  private mentions(repo: string): string[] {
    const configured = Object.entries(this.d.config.testme.report?.maintainers ?? {}).filter(([glob]) => globToRegExp(glob).test(repo));
    return configured.length > 0 ? [...new Set(configured.flatMap(([, who]) => who))] : [repo.split("/")[0]!];
  }
}
