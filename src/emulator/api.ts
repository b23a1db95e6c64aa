import { Hono, type Context } from "hono";
import type { BlankSchema } from "hono/types";
import { branchJson, commentJson, issueJson, pullJson, repoJson, userJson } from "./api-json.ts";
import type { EmulatorState, RepoState } from "./state.ts";

export interface ApiOptions {
  state: EmulatorState;
  base: () => string;
  /** Gitea 1.15 has no collaborator permission endpoint (added in 1.17). */
  hasPermissionEndpoint: boolean;
  /** Called after a comment is created through the API (Gitea sends a webhook for it). */
  onCommentCreated: (repo: RepoState, issue: number, commentId: number) => void;
}

const STATUS_STATES = new Set(["pending", "success", "error", "failure", "warning"]);
const REACTIONS = new Set(["+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes"]);

/** The subset of Gitea's /api/v1 the bot uses (SPEC §13), answering as Gitea does. */
type Env = { Variables: { user: string } };

export function createApi(o: ApiOptions): Hono<Env, BlankSchema, "/api/v1"> {
  const { state } = o;
  const app = new Hono<Env>().basePath("/api/v1");

  app.use("*", async (c, next) => {
    const auth = c.req.header("authorization") ?? "";
    const token = auth.replace(/^(token|bearer)\s+/i, "");
    const user = state.tokens.get(token) ?? null;
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
    if (user === null) {
      record(401);
      return c.json({ message: "token is required" }, 401);
    }
    c.set("user", user);
    await next();
    record(c.res.status);
    return undefined;
  });

  const repoOf = (c: Context<Env>) => state.repos.get(`${c.req.param("owner")}/${c.req.param("repo")}`.toLowerCase());
  // Gitea's ctx.NotFound() answer (routers/api/v1, 1.15): the same fields whatever was missing.
  const notFound = (c: Context, message = "Not Found", errors: string[] | null = null) => c.json({ documentation_url: `${o.base()}/api/swagger`, errors, message }, 404);
  const body = (c: Context) => c.req.json() as Promise<Record<string, unknown>>;

  app.get("/user", (c) => c.json(userJson(o.base(), state.user(c.get("user")))));

  app.get("/orgs/:org/repos", (c) => {
    const org = c.req.param("org").toLowerCase();
    // Gitea looks the name up as an organisation: a user's name is 404 here.
    if (!state.orgMembers.has(org)) return notFound(c, "GetOrgByName", [`user redirect does not exist [name: ${org}]`]);
    const { page, limit } = paging(c);
    const repos = [...state.repos.values()].filter((r) => r.repo.owner.login.toLowerCase() === org);
    return c.json(repos.slice((page - 1) * limit, page * limit).map((r) => repoJson(o.base(), r.repo, state.openPrCount(r))));
  });

  // Gitea answers 404 for a user's name here; the bot then lists the user's repos instead.
  app.get("/users/:user/repos", (c) => {
    const user = c.req.param("user").toLowerCase();
    const { page, limit } = paging(c);
    const repos = [...state.repos.values()].filter((r) => r.repo.owner.login.toLowerCase() === user && !state.orgMembers.has(user));
    return c.json(repos.slice((page - 1) * limit, page * limit).map((r) => repoJson(o.base(), r.repo, state.openPrCount(r))));
  });

  app.get("/repos/:owner/:repo", (c) => {
    const r = repoOf(c);
    return r ? c.json(repoJson(o.base(), r.repo, state.openPrCount(r))) : notFound(c);
  });
  app.get("/repos/:owner/:repo/branches/:branch", (c) => {
    const r = repoOf(c);
    const sha = r?.branches.get(c.req.param("branch"));
    if (!r || !sha) return c.json({ message: `branch does not exist [name: ${c.req.param("branch")}]` }, 404);
    return c.json(branchJson(o.base(), r.repo, c.req.param("branch"), sha, r.repo.owner));
  });
  app.post("/repos/:owner/:repo/issues", async (c) => {
    const r = repoOf(c);
    const b = await body(c);
    if (!r) return notFound(c);
    if (typeof b.title !== "string" || b.title === "") return c.json({ message: "title is required" }, 422);
    const issue = { id: state.id(), number: r.pulls.size + r.issues.length + 1, title: b.title, body: typeof b.body === "string" ? b.body : "", author: c.get("user"), createdAt: state.timestamp() };
    r.issues.push(issue);
    const at = issue.createdAt;
    return c.json(issueJson(o.base(), r.repo, { ...issue, author: state.user(issue.author), state: "open", updatedAt: at }, 0), 201);
  });

  // Gitea shows private org membership only to members: anyone else is redirected to the
  // public membership check (routers/api/v1/org/member.go IsMember), which this emulator,
  // having no public memberships, answers 404.
  app.get("/orgs/:org/members/:user", (c) => {
    const members = state.orgMembers.get(c.req.param("org").toLowerCase());
    if (!members?.has(c.get("user").toLowerCase())) return c.redirect(`${o.base()}/api/v1/orgs/${c.req.param("org")}/public_members/${c.req.param("user")}`, 302);
    return members.has(c.req.param("user").toLowerCase()) ? c.body(null, 204) : notFound(c);
  });
  app.get("/orgs/:org/public_members/:user", (c) => notFound(c));

  app.get("/repos/:owner/:repo/collaborators/:user/permission", (c) => {
    const r = repoOf(c);
    // Before 1.17 the route does not exist: the router's plain-text 404, not an API error.
    if (!o.hasPermissionEndpoint) return c.text("404 page not found", 404);
    if (!r) return notFound(c);
    const permission = r.collaborators.get(c.req.param("user").toLowerCase()) ?? "none";
    return c.json({ permission, role_name: permission, user: userJson(o.base(), state.addUser(c.req.param("user"))) });
  });
  app.get("/repos/:owner/:repo/collaborators/:user", (c) => (repoOf(c)?.collaborators.has(c.req.param("user").toLowerCase()) ? c.body(null, 204) : notFound(c)));

  app.get("/repos/:owner/:repo/pulls", (c) => {
    const r = repoOf(c);
    if (!r) return notFound(c);
    const wanted = c.req.query("state") ?? "open";
    const { page, limit } = paging(c);
    const pulls = [...r.pulls.values()].filter((p) => wanted === "all" || p.state === wanted).sort((a, b) => b.number - a.number);
    return c.json(pulls.slice((page - 1) * limit, page * limit).map((p) => pullJson(o.base(), r.repo, p, state.openPrCount(r), state.commentCount(r, p.number))));
  });
  app.get("/repos/:owner/:repo/pulls/:index", (c) => {
    const r = repoOf(c);
    const p = r?.pulls.get(Number(c.req.param("index")));
    if (!r || !p) return notFound(c);
    return c.json(pullJson(o.base(), r.repo, p, state.openPrCount(r), state.commentCount(r, p.number)));
  });

  app.get("/repos/:owner/:repo/issues/:index/comments", (c) => {
    const r = repoOf(c);
    const issue = Number(c.req.param("index"));
    if (!r || !r.pulls.has(issue)) return notFound(c);
    const since = c.req.query("since");
    const { page, limit } = paging(c);
    const list = r.comments.filter((x) => x.issue === issue && (!since || x.updatedAt >= since));
    return c.json(list.slice((page - 1) * limit, page * limit).map((x) => commentJson(o.base(), r.repo, x, true)));
  });
  app.post("/repos/:owner/:repo/issues/:index/comments", async (c) => {
    const r = repoOf(c);
    const issue = Number(c.req.param("index"));
    const b = await body(c);
    if (!r || !r.pulls.has(issue)) return notFound(c);
    if (typeof b.body !== "string" || b.body === "") return c.json({ message: "body is required" }, 422);
    const comment = state.addComment(r, issue, c.get("user"), b.body);
    o.onCommentCreated(r, issue, comment.id);
    return c.json(commentJson(o.base(), r.repo, comment, true), 201);
  });
  app.patch("/repos/:owner/:repo/issues/comments/:id", async (c) => {
    const r = repoOf(c);
    const comment = r?.comments.find((x) => x.id === Number(c.req.param("id")));
    const b = await body(c);
    if (!r || !comment) return notFound(c);
    if (comment.author.login.toLowerCase() !== c.get("user").toLowerCase()) return c.body(null, 403);
    if (typeof b.body !== "string") return c.json({ message: "body is required" }, 422);
    comment.body = b.body;
    comment.updatedAt = state.timestamp();
    return c.json(commentJson(o.base(), r.repo, comment, true));
  });
  app.post("/repos/:owner/:repo/issues/comments/:id/reactions", async (c) => {
    const r = repoOf(c);
    const id = Number(c.req.param("id"));
    const b = await body(c);
    if (!r || !r.comments.some((x) => x.id === id)) return notFound(c);
    if (typeof b.content !== "string" || !REACTIONS.has(b.content)) return c.json({ message: `'${String(b.content)}' is not an allowed reaction` }, 403);
    const exists = r.reactions.some((x) => x.commentId === id && x.user === c.get("user") && x.content === b.content);
    if (!exists) r.reactions.push({ commentId: id, user: c.get("user"), content: b.content });
    return c.json({ user: userJson(o.base(), state.user(c.get("user"))), content: b.content, created_at: state.timestamp() }, exists ? 200 : 201);
  });

  app.post("/repos/:owner/:repo/statuses/:sha", async (c) => {
    const r = repoOf(c);
    const b = await body(c);
    if (!r) return notFound(c);
    if (typeof b.state !== "string" || !STATUS_STATES.has(b.state)) return c.json({ message: "invalid state" }, 422);
    const status = {
      id: state.id(),
      state: b.state,
      context: typeof b.context === "string" ? b.context : "default",
      description: typeof b.description === "string" ? b.description : "",
      targetUrl: typeof b.target_url === "string" ? b.target_url : "",
      creator: c.get("user"),
      createdAt: state.timestamp(),
    };
    const list = r.statuses.get(c.req.param("sha")) ?? [];
    list.push(status);
    r.statuses.set(c.req.param("sha"), list);
    return c.json(statusJson(o.base(), `${r.repo.owner.login}/${r.repo.name}`, c.req.param("sha"), status, userJson(o.base(), state.user(status.creator))), 201);
  });
  app.get("/repos/:owner/:repo/commits/:ref/status", (c) => {
    const r = repoOf(c);
    if (!r) return notFound(c);
    const sha = c.req.param("ref");
    const latest = new Map<string, ReturnType<typeof statusJson>>();
    const full = `${r.repo.owner.login}/${r.repo.name}`;
    for (const s of state.statusesOf(full, sha)) if (!latest.has(s.context)) latest.set(s.context, statusJson(o.base(), full, sha, s, userJson(o.base(), state.user(s.creator))));
    const statuses = [...latest.values()];
    const combined = statuses.some((s) => s.status === "failure" || s.status === "error")
      ? "failure"
      : statuses.some((s) => s.status === "pending")
        ? "pending"
        : statuses.length > 0
          ? "success"
          : "";
    // Gitea 1.15 leaves commit_url and url empty here (convert.ToCombinedStatus).
    return c.json({ state: combined, sha, total_count: statuses.length, statuses, repository: repoJson(o.base(), r.repo, state.openPrCount(r)), commit_url: "", url: "" });
  });

  app.get("/repos/:owner/:repo/contents/:path{.+}", (c) => {
    const r = repoOf(c);
    const content = r?.files.get(`${c.req.query("ref") ?? r.repo.defaultBranch}:${c.req.param("path")}`);
    if (!r || content === undefined) return notFound(c);
    return c.json({ type: "file", path: c.req.param("path"), encoding: "base64", content: Buffer.from(content).toString("base64") });
  });

  app.notFound((c) => c.json({ message: "not found" }, 404));
  return app;
}

/** A commit status as Gitea lists it: its state under `status` (`state` is only the request's name), its creator and API url. */
function statusJson(base: string, full: string, sha: string, s: { id: number; state: string; context: string; description: string; targetUrl: string; createdAt: string }, creator: unknown) {
  return {
    id: s.id,
    status: s.state,
    target_url: s.targetUrl,
    description: s.description,
    url: `${base}/api/v1/repos/${full}/statuses/${sha}`,
    context: s.context,
    creator,
    created_at: s.createdAt,
    updated_at: s.createdAt,
  };
}

function paging(c: Context): { page: number; limit: number } {
  const page = Math.max(1, Number(c.req.query("page") ?? 1) || 1);
  const limit = Math.min(50, Math.max(1, Number(c.req.query("limit") ?? 30) || 30));
  return { page, limit };
}
