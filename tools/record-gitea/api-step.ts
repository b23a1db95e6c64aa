import type { Ctx } from "./context.ts";
import { exchange, type As, type Exchange, type ExchangeRequest } from "./exchange.ts";
import { waitUntil } from "./wait.ts";

/** One recorded exchange of the story: `api/<name>.json`. */
export interface ApiStep {
  name: string;
  req: (ctx: Ctx) => ExchangeRequest;
  /** Unrecorded preparation (e.g. a comment that a later exchange deletes). */
  before?: (ctx: Ctx) => Promise<void>;
  /** Keeps what later steps need (an ID, a number, a time). */
  after?: (ex: Exchange, ctx: Ctx) => void;
}

export function get(as: As, path: string, query?: Record<string, string>): ExchangeRequest {
  return { method: "GET", path, as, ...(query ? { query } : {}) };
}

export function send(method: string, as: As, path: string, body: unknown): ExchangeRequest {
  return { method, path, as, body };
}

/** A field of the exchange's JSON answer (for `after`). */
export function field(ex: Exchange, key: string): string | number {
  const v = (ex.response.body as Record<string, unknown> | null)?.[key];
  if (typeof v !== "string" && typeof v !== "number") throw new Error(`${ex.request.method} ${ex.request.path} answered ${ex.response.status} without ${key}`);
  return v;
}

export async function playApi(ctx: Ctx, step: ApiStep): Promise<void> {
  await step.before?.(ctx);
  const req = step.req(ctx);
  const ex = await exchange(ctx.url, req, ctx.auth[req.as]);
  ctx.out.exchange(step.name, ex);
  step.after?.(ex, ctx);
  ctx.log(`api/${step.name}: ${req.method} ${ex.request.path} as ${req.as} -> ${ex.response.status}`);
}

/**
 * The one wait that is about the clock: statuses are listed newest first by the second, in no
 * set order within one (the 1.15.11 README). Before the second status the recorder waits until
 * the server's own clock (its `Date` header) has passed the second of the first, so the list
 * is always success-then-pending. A condition with a deadline, polled on `/api/v1/version`.
 */
export async function nextServerSecond(ctx: Ctx, createdAt: string): Promise<void> {
  const second = Math.floor(Date.parse(createdAt) / 1000);
  if (Number.isNaN(second)) throw new Error(`the status's created_at ${createdAt} is not a time`);
  await waitUntil(
    async () => {
      const res = await fetch(`${ctx.url}/api/v1/version`);
      await res.arrayBuffer();
      const date = Date.parse(res.headers.get("date") ?? "");
      return Math.floor(date / 1000) > second;
    },
    "the server's clock to pass the first status's second",
    Math.max(ctx.opts.deadlineMs, 5000),
    100,
  );
}
