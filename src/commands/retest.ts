import type { CommandDef } from "./types.ts";

export const retestCommand: CommandDef = {
  name: "retest",
  usage: "/retest",
  description: "runs the tests again on the current head, in the last run's mode",
  tier: "maintainer",
  examples: ["/retest"],
  async run(ctx) {
    const { event: e, deps } = ctx;
    const [owner, repo] = e.repo.split("/") as [string, string];
    const pr = await deps.gitea.pullRequest(owner, repo, e.number);
    if (pr.state !== "open") return ctx.reply("this PR is not open.");
    const last = (await deps.store.runs.forPr(e.repo, e.number, 1))[0];
    const mode = last?.mode ?? "full";
    const { run, created } = await deps.runs.request({
      repo: e.repo,
      pr: e.number,
      sha: pr.headSha,
      ref: pr.headRef,
      cloneUrl: e.cloneUrl ?? "",
      mode,
      requestedBy: e.author,
      commentId: e.commentId,
      trigger: "retest",
    });
    const what = `a ${mode} run of \`${pr.headSha.slice(0, 7)}\``;
    await ctx.reply(created ? `re-running: ${what}: ${deps.runUrl(run.id)}` : `${what} is already ${run.state}: ${deps.runUrl(run.id)}`);
  },
};
