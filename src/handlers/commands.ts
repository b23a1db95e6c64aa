import type { Clock } from "../clock.ts";
import { COMMANDS } from "../commands/registry.ts";
import { parseCommands } from "../commands/parse.ts";
import { TIER_RANK, type CommandDeps, type CommandDef, type Tier } from "../commands/types.ts";
import type { GiteaPort } from "../gitea/port.ts";
import type { GiteaOutbox } from "../gitea/outbox.ts";
import { prLane } from "../runs/lanes.ts";
import type { CommentEvent } from "../webhooks/events.ts";
import type { Handler } from "./handler.ts";
import { checkTrust, TrustCheckError } from "../gitea/trust.ts";

export interface CommandHandlerDeps {
  commands?: readonly CommandDef[];
  deps: CommandDeps;
  gitea: Pick<GiteaPort, "isOrgMember" | "permission" | "isCollaborator">;
  outbox: Pick<GiteaOutbox, "enqueue">;
  clock: Clock;
  /** Commands a user may give per window; the next one gets one reply and no action. */
  rate: { count: number; windowMs: number };
}

/**
 * Operator slash-commands in PR and issue comments (docs/design.md#operator-commands): each line `/name args` is one
 * command, checked against its tier (anyone, maintainer = may `!testme`, operator = listed in
 * `operators`), failing closed when a permission cannot be checked. Unknown commands and
 * refusals get one-line replies; a user over the rate limit gets one reply per window.
 */
export function createCommandHandler(h: CommandHandlerDeps): Handler {
  const commands = h.commands ?? COMMANDS;
  const recent = new Map<string, number[]>();
  const warned = new Map<string, number>();

  return {
    name: "commands",
    kinds: ["comment"],
    async handle(event, ctx) {
      const e = event as CommentEvent;
      if (e.action !== "created") return;
      const parsed = parseCommands(e.body).filter((p) => p.name !== "testme");
      if (parsed.length === 0) return;
      const [owner, repo] = e.repo.split("/") as [string, string];
      let n = 0;
      // Reply keys are fixed by the comment and the order of replies, so a retried delivery
      // does not reply twice.
      const replyer = (index: number) => async (body: string) => {
        await h.outbox.enqueue(`cmd:${e.repo}:${e.commentId}:${index}:${n++}`, prLane(e.repo, e.number), { op: "createComment", owner, repo, number: e.number, body: `@${e.author} ${body}` });
      };

      let tier: Tier | null = null;
      const tierOf = async (): Promise<Tier | "unknown"> => {
        if (tier) return tier;
        if (h.deps.config.operators.some((u) => u.toLowerCase() === e.author.toLowerCase())) return (tier = "operator");
        try {
          return (tier = (await checkTrust(h.gitea, h.deps.config.testme.trust, e.repo, e.author)).allowed ? "maintainer" : "anyone");
        } catch (err) {
          // Gitea unreachable: the dispatcher waits for it and asks again (as for !testme).
          if (err instanceof TrustCheckError && err.unreachable && h.clock.now() - ctx.receivedAt < h.deps.config.testme.trustWaitMinutes * 60_000) throw err;
          if (err instanceof TrustCheckError) return "unknown";
          throw err;
        }
      };
      // Checked before anything is counted or run, so waiting for Gitea repeats nothing.
      if (parsed.some((p) => commands.some((c) => c.name === p.name))) await tierOf();

      for (const [i, cmd] of parsed.entries()) {
        const reply = replyer(i);
        const def = commands.find((c) => c.name === cmd.name);
        if (!def) {
          await reply(`unknown command \`/${cmd.name}\`; \`/help\` lists the commands you may use.`);
          continue;
        }
        if (!allow(e.author.toLowerCase(), h.clock.now())) {
          if ((warned.get(e.author.toLowerCase()) ?? 0) <= h.clock.now() - h.rate.windowMs) {
            warned.set(e.author.toLowerCase(), h.clock.now());
            await reply(`slow down: at most ${h.rate.count} commands per ${Math.round(h.rate.windowMs / 1000)} s; \`/${cmd.name}\` was not run.`);
          }
          continue;
        }
        // Commands for anyone run even when the permission check cannot be made (as "anyone").
        const checked = await tierOf();
        const have = checked === "unknown" && def.tier === "anyone" ? "anyone" : checked;
        if (have === "unknown") {
          await reply(`I could not check your permissions (the forge did not answer), so \`/${cmd.name}\` was not run. Comment it again to retry.`);
          continue;
        }
        if (TIER_RANK[have] < TIER_RANK[def.tier]) {
          await reply(`\`/${cmd.name}\` is for ${def.tier === "operator" ? "operators" : "maintainers"} only.`);
          continue;
        }
        ctx.log.info({ command: cmd.name, user: e.author }, "slash-command");
        await def.run({ event: e, args: cmd.args, rest: cmd.rest, tier: have, reply, deps: h.deps, log: ctx.log });
      }
    },
  };

  /** Counts a command against the user's window; false when over the limit. */
  function allow(user: string, now: number): boolean {
    const times = (recent.get(user) ?? []).filter((t) => t > now - h.rate.windowMs);
    if (recent.size > 10_000) recent.clear(); // bounded: forgetting is better than growing
    if (times.length >= h.rate.count) {
      recent.set(user, times);
      return false;
    }
    times.push(now);
    recent.set(user, times);
    return true;
  }
}
