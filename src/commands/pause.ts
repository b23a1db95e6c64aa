import type { CommandDef } from "./types.ts";

/** `/pause` and `/resume` differ only in the state they set. */
function pauseLike(name: "pause" | "resume"): CommandDef {
  const paused = name === "pause";
  return {
    name,
    usage: `/${name} <session>`,
    description: paused ? "stops all supervisor actions on a session" : "lets the supervisor act on a session again",
    tier: "operator",
    examples: [`/${name} cc-ci-adv`],
    async run(ctx) {
      const session = ctx.args[0];
      if (!session) return ctx.reply(`usage: \`/${name} <session>\``);
      if (!(await ctx.deps.supervisor.setPaused(session, paused))) return ctx.reply(`no supervised session \`${session}\`.`);
      await ctx.reply(`supervision of \`${session}\` ${paused ? "paused" : "resumed"}.`);
    },
  };
}

export const pauseCommand = pauseLike("pause");
export const resumeCommand = pauseLike("resume");
