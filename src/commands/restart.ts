import type { CommandDef } from "./types.ts";

export const restartCommand: CommandDef = {
  name: "restart",
  usage: "/restart <session>",
  description: "restarts a supervised session with its kickoff",
  tier: "operator",
  examples: ["/restart cc-ci-builder"],
  async run(ctx) {
    const name = ctx.args[0];
    if (!name) return ctx.reply("usage: `/restart <session>`");
    if (!(await ctx.deps.supervisor.restartSession(name, `by @${ctx.event.author}`))) {
      return ctx.reply(`no supervised session \`${name}\`; known: ${ctx.deps.supervisor.names().map((n) => `\`${n}\``).join(", ") || "none"}.`);
    }
    await ctx.reply(`restarted \`${name}\`.`);
  },
};
