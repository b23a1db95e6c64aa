import type { CommandDef } from "./types.ts";

export const statusCommand: CommandDef = {
  name: "status",
  usage: "/status",
  description: "the PR's run history and current state",
  tier: "anyone",
  examples: ["/status"],
  async run(ctx) {
    const { event: e, deps } = ctx;
    const runs = await deps.store.runs.forPr(e.repo, e.number, 5);
    if (runs.length === 0) return ctx.reply("no runs on this PR yet; comment `!testme` to start one.");
    const rows = runs.map(
      (r) => `| [#${r.id}](${deps.runUrl(r.id)}) | \`${r.sha.slice(0, 7)}\` | ${r.mode} | ${r.state === "finished" ? `${r.verdict} (${r.reason ?? ""})` : r.state} |`,
    );
    const now = runs[0]!;
    const current = now.state === "finished" ? `last verdict: **${now.verdict}**` : `a run is ${now.state}`;
    await ctx.reply([`${current}.`, "", "| run | commit | mode | state |", "| --- | --- | --- | --- |", ...rows].join("\n"));
  },
};
