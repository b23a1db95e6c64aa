import type { CommandContext } from "./types.ts";

/**
 * Runs the configured job `kind` for a command: flags pass through as arguments, one job of a
 * kind at a time, and the outcome (with the job's log link, and any PR it printed as
 * `PR: <url>`) is posted back when it ends.
 */
export async function runJob(ctx: CommandContext, kind: string, allowedFlags: readonly string[]): Promise<void> {
  const { deps, event: e } = ctx;
  const command = deps.config.jobs[kind]?.command;
  if (!command) return ctx.reply(`no \`${kind}\` job is configured (jobs.${kind}.command).`);
  const unknown = ctx.args.filter((a) => !allowedFlags.includes(a));
  if (unknown.length > 0) return ctx.reply(`unknown option ${unknown.map((a) => `\`${a}\``).join(", ")}; see \`/help\`.`);
  const start = await deps.jobs.start({ kind, command, args: ctx.args, repo: e.repo, pr: e.number, requestedBy: e.author });
  if (!start.started) return ctx.reply(`a \`${kind}\` job is already running: ${deps.jobUrl(start.running.id)}`);
  await ctx.reply(`started \`${kind}${ctx.args.length ? ` ${ctx.args.join(" ")}` : ""}\`: ${deps.jobUrl(start.job.id)}`);
  void start.done.then(
    (job) =>
      ctx.reply(
        `\`${kind}\` ${job.outcome === "succeeded" ? "succeeded ✅" : `failed ❌ (exit ${job.exitCode ?? "?"})`}: ${deps.jobUrl(job.id)}${job.prUrl ? `\nIt opened ${job.prUrl}` : ""}`,
      ),
    (err: unknown) => ctx.log.error({ err, kind }, "job failed unexpectedly"),
  );
}
