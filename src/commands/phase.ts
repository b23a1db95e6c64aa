import { loopFor } from "./loop-of.ts";
import type { CommandDef } from "./types.ts";

export const phaseCommand: CommandDef = {
  name: "phase",
  usage: "/phase [advance|hold]",
  description: "shows the phase sequence; `advance` moves to the next phase, `hold` stops automatic advancing until the next `advance`",
  tier: "operator",
  examples: ["/phase", "/phase advance", "/phase hold"],
  async run(ctx) {
    const loop = loopFor(ctx.deps, ctx.event.repo);
    if (!loop || loop.phases.length === 0) return ctx.reply("no loop with a phase sequence is configured for this repo.");
    const { phases } = ctx.deps;
    const st = await phases.state(loop);
    const where = st.complete ? "complete" : `phase ${loop.phases[st.index]!.id} (${st.index + 1} of ${loop.phases.length})`;
    const verb = ctx.args[0];
    if (verb === undefined) {
      return ctx.reply(`${loop.name}: ${where}${(await phases.isHeld(loop)) ? ", held" : ""}. Phases: ${loop.phases.map((p) => p.id).join(" → ")}.`);
    }
    if (verb === "hold") {
      await phases.hold(loop, true);
      return ctx.reply(`${loop.name}: held at ${where}; a DONE will not advance it until \`/phase advance\`.`);
    }
    if (verb === "advance") {
      if (st.complete) return ctx.reply(`${loop.name}: the sequence is already complete.`);
      await phases.hold(loop, false);
      await phases.advance(loop, st.index, `manual:${ctx.event.author}`);
      const next = await phases.state(loop);
      return ctx.reply(`${loop.name}: ${next.complete ? "sequence complete; loop sessions stopped" : `advanced to phase ${loop.phases[next.index]!.id}; sessions restarted`}.`);
    }
    return ctx.reply("usage: `/phase [advance|hold]`");
  },
};
