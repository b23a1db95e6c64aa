import type { CommandDef } from "./types.ts";

export const cancelCommand: CommandDef = {
  name: "cancel",
  usage: "/cancel",
  description: "cancels the PR's queued or running run",
  tier: "maintainer",
  examples: ["/cancel"],
  async run(ctx) {
    const { event: e, deps } = ctx;
    const active = await deps.store.runs.activeForPr(e.repo, e.number);
    if (active.length === 0) return ctx.reply("nothing to cancel: no run of this PR is queued or running.");
    for (const run of active) await deps.runs.cancel(run, `cancelled by @${e.author}`);
    await ctx.reply(`cancelled ${active.map((r) => `[#${r.id}](${deps.runUrl(r.id)})`).join(", ")}.`);
  },
};
