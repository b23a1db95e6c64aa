import { randomBytes } from "node:crypto";
import type { GiteaApi } from "../../test/e2e/support/gitea-api.ts";
import { ORG, USERS, type Ctx } from "./context.ts";
import type { Redactor } from "./redact.ts";

/** A fresh random password, hidden from every file and line. */
export function password(redact: Redactor): string {
  const p = `Rec-${randomBytes(12).toString("hex")}`;
  redact.add(p);
  return p;
}

/** A user with a random password (email `<name>@example.test`, as in the recordings). */
export async function newUser(ctx: Ctx, name: string): Promise<void> {
  const p = password(ctx.redact);
  ctx.users.set(name, await ctx.admin.createUser(name, p));
  ctx.redact.addLogin(name, p);
}

/**
 * Refuses a server that already has the scenario's org or users: the recordings keep these
 * names, so the scenario needs a fresh instance. `gadmin` counts too unless it is the admin.
 */
export async function checkFresh(admin: GiteaApi): Promise<void> {
  const taken: string[] = [];
  if ((await admin.call("GET", `/orgs/${ORG}`, undefined, [404])).status !== 404) taken.push(ORG);
  const names: string[] = [...USERS, ...(admin.as.user === "gadmin" ? [] : ["gadmin"])];
  for (const u of names) if ((await admin.call("GET", `/users/${u}`, undefined, [404])).status !== 404) taken.push(u);
  if (taken.length > 0) throw new Error(`the server already has ${taken.join(", ")}: the recorder creates these names, use a fresh Gitea/Forgejo instance`);
}

/**
 * `gadmin` (site admin) does the admin's part in every recording. When the given admin has
 * another name, `gadmin` is created and made a site admin with it.
 */
export async function ensureGadmin(given: GiteaApi, redact: Redactor, log: (line: string) => void): Promise<GiteaApi> {
  if (given.as.user === "gadmin") return given;
  const p = password(redact);
  const creds = await given.createUser("gadmin", p);
  redact.addLogin("gadmin", p);
  await given.call("PATCH", "/admin/users/gadmin", { admin: true, login_name: "gadmin", source_id: 0 });
  log(`created site admin gadmin with ${given.as.user}`);
  return given.user(creds);
}

/**
 * An API token of `api`'s user. Gitea >= 1.19 and Forgejo need scopes (`all`); 1.15 ignores
 * the field. A server that refuses `all` gets every write scope by name.
 */
export async function createToken(ctx: Ctx, api: GiteaApi, name: string): Promise<string> {
  const path = `/users/${api.as.user}/tokens`;
  let res = await api.call<{ sha1: string }>("POST", path, { name, scopes: ["all"] }, [400, 422]);
  if (res.status >= 400) {
    const scopes = ["activitypub", "admin", "issue", "misc", "notification", "organization", "package", "repository", "user"].map((s) => `write:${s}`);
    res = await api.call<{ sha1: string }>("POST", path, { name: `${name}-scoped`, scopes });
  }
  ctx.redact.add(res.data.sha1);
  return res.data.sha1;
}
