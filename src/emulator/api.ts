import { Hono } from "hono";
import { ApiContext, type Api, type ApiOptions, type Env } from "./api-context.ts";
import { issueRoutes } from "./api-issues.ts";
import { orgRoutes } from "./api-orgs.ts";
import { repoRoutes } from "./api-repos.ts";
import { statusRoutes } from "./api-statuses.ts";

export type { ApiOptions } from "./api-context.ts";

/**
 * The subset of Gitea's /api/v1 the bot uses (docs/design.md#gitea-facts), answering as the recorded Gitea
 * 1.15.11 does (test/fixtures/forges): a token or basic auth names the user; a missing or
 * unknown token reads as anonymous (public reads answer 200) and is refused only on
 * `GET /user` and on writes, with 401 "token is required".
 */
export function createApi(o: ApiOptions): Api {
  const { state } = o;
  const app = new Hono<Env>().basePath("/api/v1");

  app.use("*", async (c, next) => {
    const authorization = c.req.header("authorization") ?? "";
    const user = authorization ? state.authenticate(authorization) : null;
    const fault = state.faults.find((f) => f.times > 0 && f.path.test(c.req.path) && (!f.method || f.method === c.req.method));
    let body: unknown = null;
    if (c.req.method !== "GET") body = await c.req.json().catch(() => null);
    const record = (status: number) => state.calls.push({ method: c.req.method, path: c.req.path, status, body, user, at: Date.now() });
    if (fault) {
      fault.times--;
      if (fault.hangMs) await new Promise((r) => setTimeout(r, fault.hangMs));
      const status = fault.status ?? 500;
      record(status);
      return c.json({ message: "injected fault" }, status as 500);
    }
    if (user === null && (c.req.method !== "GET" || c.req.path === "/api/v1/user")) {
      record(401);
      return c.json({ message: "token is required", url: `${o.base()}/api/swagger` }, 401);
    }
    c.set("user", user);
    await next();
    record(c.res.status);
    return undefined;
  });

  const ctx = new ApiContext(o);
  repoRoutes(app, ctx);
  orgRoutes(app, ctx);
  issueRoutes(app, ctx);
  statusRoutes(app, ctx);
  // An unrouted path: Go's router's plain-text 404, not an API error.
  app.notFound((c) => c.text("404 page not found\n", 404));
  return app;
}
