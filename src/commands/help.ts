import type { CommandDef } from "./types.ts";
import { TIER_RANK } from "./types.ts";

/** `/help`, generated from the registry for the commenter's tier. */
export function helpCommand(all: () => readonly CommandDef[]): CommandDef {
  return {
    name: "help",
    usage: "/help",
    description: "lists the commands you may use",
    tier: "anyone",
    examples: ["/help"],
    async run(ctx) {
      const mine = all().filter((c) => TIER_RANK[c.tier] <= TIER_RANK[ctx.tier]);
      const rows = mine.map((c) => `| \`${c.usage}\` | ${c.description} | ${c.tier} | ${c.examples.map((e) => `\`${e}\``).join(", ")} |`);
      await ctx.reply(
        [
          `Commands you may use here (you are: ${ctx.tier}); each goes on a line of its own. \`!testme\` (or \`!testme --quick\`) runs the tests.`,
          "",
          "| command | does | who | examples |",
          "| --- | --- | --- | --- |",
          ...rows,
        ].join("\n"),
      );
    },
  };
}
