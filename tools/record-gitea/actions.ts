import type { Ctx } from "./context.ts";
import { assign, complete, describe, type Expected } from "./match.ts";
import { DeadlineError, waitUntil } from "./wait.ts";

/** One user action of the story and the deliveries it must cause (named as in the 1.15.11 recording). */
export interface ActionStep {
  what: string;
  expects: Expected[];
  run: (ctx: Ctx) => Promise<void>;
}

export const LOOPBACK_HINT =
  "the forge must be allowed to deliver to 127.0.0.1 (Gitea >= 1.16, Forgejo): set `[webhook] ALLOWED_HOST_LIST = loopback` in its app.ini and restart it";

/**
 * Runs the action, waits (a condition with a deadline) until every expected delivery is in,
 * then until the receiver has been quiet for `settleMs` so that a delivery a newer forge adds
 * for the same action lands in this action's files, and writes them.
 */
export async function play(ctx: Ctx, step: ActionStep): Promise<void> {
  const from = ctx.rx.got.length;
  const arrivals = () => ctx.rx.got.slice(from);
  await step.run(ctx);
  try {
    await waitUntil(() => complete(step.expects, arrivals()), `${step.expects.map((e) => e.file).join(", ")}`, ctx.opts.deadlineMs);
  } catch (err) {
    if (!(err instanceof DeadlineError)) throw err;
    if (ctx.rx.got.length === 0) throw new Error(`no webhook delivery arrived within ${Math.round(ctx.opts.deadlineMs / 1000)} s: ${LOOPBACK_HINT}`);
  }
  const started = Date.now();
  await waitUntil(() => Date.now() - Math.max(ctx.rx.lastAt(), started) >= ctx.opts.settleMs, "the receiver to be quiet", ctx.opts.deadlineMs, 50);
  const { files, missing } = assign(step.expects, arrivals());
  for (const [name, d] of files) ctx.out.delivery(name, d);
  const names = files.map(([name, d]) => `${name} (${describe(d)})`).join(", ");
  ctx.log(`${step.what}: ${names || "no delivery"}`);
  for (const m of missing) {
    ctx.missing.push(m.file);
    ctx.log(`  WARNING: ${m.file} did not arrive (expected ${m.event}${m.action ? `/${m.action}` : ""}); got ${arrivals().map(describe).join(", ") || "nothing"}`);
  }
}
