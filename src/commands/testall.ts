import type { CommandDef } from "./types.ts";

export const testallCommand: CommandDef = {
  name: "testall",
  usage: "/testall [--quick]",
  description: "tests the default branch of every enrolled recipe (a sweep) and links its report",
  tier: "operator",
  examples: ["/testall", "/testall --quick"],
  async run(ctx) {
    const { deps, event: e } = ctx;
    const unknown = ctx.args.filter((a) => a !== "--quick");
    if (unknown.length > 0) return ctx.reply(`unknown option ${unknown.map((a) => `\`${a}\``).join(", ")}; usage: \`/testall [--quick]\`.`);
    const mode = ctx.args.includes("--quick") ? "quick" : "full";
    // Keyed by the comment: a retried delivery answers with the same sweep.
    const { sweep, runs } = await deps.sweeps.start({ key: `command:${e.repo.toLowerCase()}:${e.commentId}`, cause: "command", mode, requestedBy: e.author });
    await ctx.reply(`sweep #${sweep.id}: a ${mode} run of the default branch of ${runs} recipe${runs === 1 ? "" : "s"}: ${deps.sweepUrl(sweep.id)}`);
  },
};
