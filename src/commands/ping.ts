import { loopFor } from "./loop-of.ts";
import type { CommandDef } from "./types.ts";

export const pingCommand: CommandDef = {
  name: "ping",
  usage: "/ping <role> <text>",
  description: "types a line into a loop session (builder, adversary, ...)",
  tier: "operator",
  examples: ["/ping builder please rebase on main"],
  async run(ctx) {
    const [role, ...words] = ctx.args;
    if (!role || words.length === 0) return ctx.reply("usage: `/ping <role> <text>`");
    const loop = loopFor(ctx.deps, ctx.event.repo, role);
    const session = loop?.sessions[role]?.session;
    if (!loop || !session) return ctx.reply(`no loop session has the role \`${role}\`.`);
    const text = `[cc-ci-bot] from @${ctx.event.author}: ${ctx.rest.slice(role.length).trim()}`;
    await ctx.deps.pings.send({ loop: loop.name, role, session, text, repo: loop.repo });
    await ctx.reply(`queued for \`${session}\` (${loop.name} ${role}).`);
  },
};
