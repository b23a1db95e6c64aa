import type { Context } from "hono";
import type { Api, ApiContext } from "./api-context.ts";
import { repoJson } from "./api-json.ts";
import { paged } from "./api-paging.ts";

/** Org membership as Gitea shows it, and the repo listings of orgs and users. */
export function orgRoutes(app: Api, x: ApiContext): void {
  const { state } = x;

  // Private membership is shown only to members: anyone else (or no one signed in) is
  // redirected to the public membership check (routers/api/v1/org/member.go IsMember).
  app.get("/orgs/:org/members/:user", (c) => {
    const members = state.orgMembers.get(c.req.param("org").toLowerCase());
    const asker = c.get("user");
    if (asker === null || !members?.has(asker.toLowerCase())) return found(c, `${x.base()}/api/v1/orgs/${c.req.param("org")}/public_members/${c.req.param("user")}`);
    return members.has(c.req.param("user").toLowerCase()) ? c.body(null, 204) : x.notFound(c);
  });
  app.get("/orgs/:org/public_members/:user", (c) =>
    state.publicMembers.get(c.req.param("org").toLowerCase())?.has(c.req.param("user").toLowerCase()) ? c.body(null, 204) : x.notFound(c),
  );

  app.get("/orgs/:org/repos", (c) => {
    const org = c.req.param("org").toLowerCase();
    // Gitea looks the name up as an organisation: a user's name is 404 here.
    if (!state.orgMembers.has(org)) return x.notFound(c, "GetOrgByName", [`user redirect does not exist [name: ${org}]`]);
    const repos = [...state.repos.values()].filter((r) => r.repo.owner.login.toLowerCase() === org);
    return c.json(paged(c, x.base(), repos, (r) => repoJson(x.base(), r.repo, state.openPrCount(r))));
  });

  // Gitea answers 404 for a user's name under /orgs; the bot then lists the user's repos here.
  app.get("/users/:user/repos", (c) => {
    const user = c.req.param("user").toLowerCase();
    const repos = [...state.repos.values()].filter((r) => r.repo.owner.login.toLowerCase() === user && !state.orgMembers.has(user));
    return c.json(paged(c, x.base(), repos, (r) => repoJson(x.base(), r.repo, state.openPrCount(r))));
  });
}

/** Go's http.Redirect: 302 with a small HTML body naming the target. */
function found(c: Context, location: string): Response {
  c.header("location", location);
  return c.html(`<a href="${location}">Found</a>.\n\n`, 302);
}
