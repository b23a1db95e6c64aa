import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Redactor } from "../redact.ts";
import type { Job, SqliteJobStore } from "../store/jobs.ts";
import { readTail } from "../util/read-tail.ts";
import { baseChildEnv, recipeOf } from "../util/child-env.ts";

export interface JobRequest {
  kind: string;
  command: readonly string[];
  args: string[];
  repo: string;
  pr: number;
  requestedBy: string;
}

export type JobStart = { started: true; job: Job; done: Promise<Job> } | { started: false; running: Job };

/**
 * Operator jobs (docs/design.md#operator-commands): a configured argv run with execa, flags as arguments and inputs as
 * environment variables, output to a log with a page. One job of a kind at a time.
 */
export class JobService {
  constructor(
    private readonly d: { store: SqliteJobStore; dir: string; clock: Clock; log: Logger; redact: Redactor; timeoutMs: number },
  ) {}

  logOf(id: number): string {
    return join(this.d.dir, String(id), "log");
  }

  /** Jobs left "running" by a stop of the bot are ended as failed. */
  async recover(): Promise<void> {
    const n = await this.d.store.abandonRunning(this.d.clock.now());
    if (n > 0) this.d.log.warn({ jobs: n }, "jobs cut off by the last stop were marked failed");
  }

  async start(r: JobRequest): Promise<JobStart> {
    const running = await this.d.store.running(r.kind);
    if (running) return { started: false, running };
    const job = await this.d.store.create({ kind: r.kind, args: r.args, repo: r.repo, pr: r.pr, requestedBy: r.requestedBy }, this.d.clock.now());
    return { started: true, job, done: this.run(job, r) };
  }

  /** The job's log tail, redacted. */
  tail(id: number, bytes = 64 * 1024): string {
    return this.d.redact(readTail(this.logOf(id), bytes));
  }

  private async run(job: Job, r: JobRequest): Promise<Job> {
    mkdirSync(join(this.d.dir, String(job.id)), { recursive: true });
    const log = createWriteStream(this.logOf(job.id));
    const env = {
      ...baseChildEnv(),
      CCCI_JOB_ID: String(job.id),
      CCCI_REPO: r.repo,
      CCCI_RECIPE: recipeOf(r.repo),
      CCCI_PR: String(r.pr),
      CCCI_COMMENTER: r.requestedBy,
    };
    let exitCode: number | null = null;
    let output = "";
    try {
      const child = execa(r.command[0]!, [...r.command.slice(1), ...r.args], { env, extendEnv: false, all: true, reject: false, timeout: this.d.timeoutMs, killSignal: "SIGTERM" });
      child.all?.on("data", (chunk: Buffer) => {
        log.write(chunk);
        if (output.length < 1_000_000) output += chunk.toString("utf8");
      });
      const result = await child;
      exitCode = typeof result.exitCode === "number" ? result.exitCode : null;
      if (result.failed && exitCode === null) log.write(`\n[cc-ci-bot] ${result.timedOut ? "timed out" : (result.shortMessage ?? "failed to run")}\n`);
    } catch (err) {
      log.write(`\n[cc-ci-bot] could not run the job: ${(err as Error).message}\n`);
    }
    await new Promise<void>((resolve) => log.end(() => resolve()));
    const prUrl = [...output.matchAll(/^PR: (\S+)\s*$/gm)].at(-1)?.[1] ?? null;
    await this.d.store.finish(job.id, exitCode, exitCode === 0 ? "succeeded" : "failed", prUrl, this.d.clock.now());
    this.d.log.info({ job: job.id, kind: job.kind, exitCode }, "job finished");
    return (await this.d.store.get(job.id))!;
  }
}
