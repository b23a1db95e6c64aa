import type { Api, ApiContext } from "./api-context.ts";
import { repoJson, userJson } from "./api-json.ts";
import { paged } from "./api-paging.ts";
import type { EmuStatus } from "./state.ts";

// Gitea's order of worse-ness (models/commit_status.go): the combined state is the worst one;
// a state it does not know ranks with pending (1.15 stores any string it is given).
const RANK: Record<string, number> = { pending: 0, success: 1, error: 2, failure: 3, warning: 4 };

/** Commit statuses: created, listed newest first, and combined per context. */
export function statusRoutes(app: Api, x: ApiContext): void {
  const { state } = x;

  app.post("/repos/:owner/:repo/statuses/:sha", async (c) => {
    const r = x.repoOf(c);
    const b = await x.body(c);
    if (!r) return x.notFound(c);
    // 1.15 binds the body strictly: only a non-string state is refused; any string is kept.
    if (b.state !== undefined && typeof b.state !== "string") return x.unprocessable(c, "structs.CreateStatusOption.State: ReadString: expects \" or n");
    const status: EmuStatus = {
      id: state.id(),
      state: typeof b.state === "string" ? b.state : "",
      context: typeof b.context === "string" ? b.context : "default",
      description: typeof b.description === "string" ? b.description : "",
      targetUrl: typeof b.target_url === "string" ? b.target_url : "",
      creator: x.user(c),
      createdAt: state.timestamp(),
    };
    const list = r.statuses.get(c.req.param("sha")) ?? [];
    list.push(status);
    r.statuses.set(c.req.param("sha"), list);
    return c.json(statusJson(x, `${r.repo.owner.login}/${r.repo.name}`, c.req.param("sha"), status), 201);
  });

  app.get("/repos/:owner/:repo/statuses/:sha", (c) => {
    const r = x.repoOf(c);
    if (!r) return x.notFound(c);
    const full = `${r.repo.owner.login}/${r.repo.name}`;
    return c.json(paged(c, x.base(), state.statusesOf(full, c.req.param("sha")), (s) => statusJson(x, full, c.req.param("sha"), s)));
  });

  // By SHA or by branch name. A commit without statuses gets Gitea's empty answer: no SHA, no
  // repository, statuses null.
  app.get("/repos/:owner/:repo/commits/:ref/status", (c) => {
    const r = x.repoOf(c);
    if (!r) return x.notFound(c);
    const sha = r.branches.get(c.req.param("ref")) ?? c.req.param("ref");
    const full = `${r.repo.owner.login}/${r.repo.name}`;
    const latest = new Map<string, EmuStatus>();
    for (const s of state.statusesOf(full, sha)) if (!latest.has(s.context)) latest.set(s.context, s);
    const statuses = [...latest.values()];
    if (statuses.length === 0) return c.json({ state: "", sha: "", total_count: 0, statuses: null, repository: null, commit_url: "", url: "" });
    const worst = statuses.reduce((w, s) => ((RANK[s.state] ?? 0) >= (RANK[w.state] ?? 0) ? s : w));
    // Gitea 1.15 leaves commit_url and url empty here (convert.ToCombinedStatus).
    return c.json({
      state: worst.state,
      sha,
      total_count: statuses.length,
      statuses: statuses.map((s) => statusJson(x, full, sha, s)),
      repository: repoJson(x.base(), r.repo, state.openPrCount(r)),
      commit_url: "",
      url: "",
    });
  });
}

/** A commit status as Gitea lists it: its state under `status` (`state` is only the request's name), its creator and API url. */
function statusJson(x: ApiContext, full: string, sha: string, s: EmuStatus) {
  return {
    id: s.id,
    status: s.state,
    target_url: s.targetUrl,
    description: s.description,
    url: `${x.base()}/api/v1/repos/${full}/statuses/${sha}`,
    context: s.context,
    creator: userJson(x.base(), x.state.user(s.creator)),
    created_at: s.createdAt,
    updated_at: s.createdAt,
  };
}
