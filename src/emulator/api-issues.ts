import type { Api, ApiContext } from "./api-context.ts";
import { commentJson, issueJson, pullJson, userJson } from "./api-json.ts";
import { paged } from "./api-paging.ts";

const REACTIONS = new Set(["+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes"]);

/** PRs, issues, their comments and the comments' reactions. */
export function issueRoutes(app: Api, x: ApiContext): void {
  const { state } = x;
  const modern = x.o.flavour !== "gitea-1.15";

  app.get("/repos/:owner/:repo/pulls", (c) => {
    const r = x.repoOf(c);
    if (!r) return x.notFound(c);
    const wanted = c.req.query("state") ?? "open";
    const pulls = [...r.pulls.values()].filter((p) => wanted === "all" || p.state === wanted).sort((a, b) => b.number - a.number);
    return c.json(paged(c, x.base(), pulls, (p) => pullJson(x.base(), r.repo, p, state.openPrCount(r), state.commentCount(r, p.number))));
  });
  app.get("/repos/:owner/:repo/pulls/:index", (c) => {
    const r = x.repoOf(c);
    const p = r?.pulls.get(Number(c.req.param("index")));
    if (!r || !p) return x.notFound(c);
    return c.json(pullJson(x.base(), r.repo, p, state.openPrCount(r), state.commentCount(r, p.number)));
  });

  app.post("/repos/:owner/:repo/issues", async (c) => {
    const r = x.repoOf(c);
    const b = await x.body(c);
    if (!r) return x.notFound(c);
    if (typeof b.title !== "string" || b.title === "") return x.unprocessable(c, "title is required");
    const issue = { id: state.id(), number: state.nextIssueNumber(r), title: b.title, body: typeof b.body === "string" ? b.body : "", author: x.user(c), createdAt: state.timestamp() };
    r.issues.push(issue);
    return c.json(issueJson(x.base(), r.repo, { ...issue, author: state.user(issue.author), state: "open", updatedAt: issue.createdAt }, 0), 201);
  });
  // A PR is an issue too: `pull_request` tells them apart.
  app.get("/repos/:owner/:repo/issues/:index", (c) => {
    const r = x.repoOf(c);
    const n = Number(c.req.param("index"));
    if (!r) return x.notFound(c);
    const pull = r.pulls.get(n);
    if (pull) return c.json(issueJson(x.base(), r.repo, pull, state.commentCount(r, n)));
    const issue = r.issues.find((i) => i.number === n);
    if (!issue) return x.notFound(c);
    return c.json(issueJson(x.base(), r.repo, { ...issue, author: state.user(issue.author), state: "open", updatedAt: issue.createdAt }, state.commentCount(r, n)));
  });

  // 1.15 ignores page and limit here and sends no paging headers: the whole list, always.
  app.get("/repos/:owner/:repo/issues/:index/comments", (c) => {
    const r = x.repoOf(c);
    const issue = Number(c.req.param("index"));
    if (!r || !state.hasIssue(r, issue)) return x.notFound(c);
    const since = c.req.query("since");
    const list = r.comments.filter((cm) => cm.issue === issue && (!since || cm.updatedAt >= since));
    const json = (cm: (typeof list)[number]) => commentJson(x.base(), r.repo, cm);
    return c.json(modern ? paged(c, x.base(), list, json) : list.map(json));
  });
  app.post("/repos/:owner/:repo/issues/:index/comments", async (c) => {
    const r = x.repoOf(c);
    const issue = Number(c.req.param("index"));
    const b = await x.body(c);
    if (!r || !state.hasIssue(r, issue)) return x.notFound(c);
    if (typeof b.body !== "string" || b.body === "") return x.unprocessable(c, "body is required");
    const comment = state.addComment(r, issue, x.user(c), b.body);
    x.o.onComment(r, comment.id, "created");
    return c.json(commentJson(x.base(), r.repo, comment), 201);
  });
  app.patch("/repos/:owner/:repo/issues/comments/:id", async (c) => {
    const r = x.repoOf(c);
    const comment = r?.comments.find((cm) => cm.id === Number(c.req.param("id")));
    const b = await x.body(c);
    if (!r || !comment) return x.notFound(c);
    if (comment.author.login.toLowerCase() !== x.user(c).toLowerCase()) return c.body(null, 403);
    if (typeof b.body !== "string") return x.unprocessable(c, "body is required");
    comment.body = b.body;
    comment.updatedAt = state.timestamp();
    return c.json(commentJson(x.base(), r.repo, comment));
  });
  app.delete("/repos/:owner/:repo/issues/comments/:id", (c) => {
    const r = x.repoOf(c);
    const at = r?.comments.findIndex((cm) => cm.id === Number(c.req.param("id"))) ?? -1;
    if (!r || at < 0) return x.notFound(c);
    if (r.comments[at]!.author.login.toLowerCase() !== x.user(c).toLowerCase()) return c.body(null, 403);
    x.o.onComment(r, r.comments[at]!.id, "deleted");
    r.comments.splice(at, 1);
    return c.body(null, 204);
  });

  app.post("/repos/:owner/:repo/issues/comments/:id/reactions", async (c) => {
    const r = x.repoOf(c);
    const id = Number(c.req.param("id"));
    const b = await x.body(c);
    if (!r || !r.comments.some((cm) => cm.id === id)) return x.notFound(c);
    if (typeof b.content !== "string" || !REACTIONS.has(b.content)) return c.json({ message: `'${String(b.content)}' is not an allowed reaction` }, 403);
    const user = x.user(c);
    const exists = r.reactions.find((re) => re.commentId === id && re.user === user && re.content === b.content);
    if (!exists) r.reactions.push({ commentId: id, user, content: b.content });
    return c.json(reactionJson(x, { user, content: b.content }), exists ? 200 : 201);
  });
  // Gitea answers null, not [], for a comment without reactions.
  app.get("/repos/:owner/:repo/issues/comments/:id/reactions", (c) => {
    const r = x.repoOf(c);
    const id = Number(c.req.param("id"));
    if (!r || !r.comments.some((cm) => cm.id === id)) return x.notFound(c);
    const list = r.reactions.filter((re) => re.commentId === id).map((re) => reactionJson(x, re));
    return c.json(list.length > 0 ? list : null);
  });
}

function reactionJson(x: ApiContext, re: { user: string; content: string }) {
  return { user: userJson(x.base(), x.state.user(re.user)), content: re.content, created_at: x.state.timestamp() };
}
