import { createHash } from "node:crypto";
import type { Api, ApiContext } from "./api-context.ts";
import { branchJson, repoJson, userJson } from "./api-json.ts";
import type { Flavour } from "./flavour.ts";

/** What each flavour's `GET /version` names. */
const VERSIONS: Record<Flavour, string> = { "gitea-1.15": "1.15.11", "gitea-modern": "1.24.0", forgejo: "11.0.0+gitea-1.22.0" };

/** The server, the signed-in user, a repo, its branches and its files. */
export function repoRoutes(app: Api, x: ApiContext): void {
  const { state } = x;

  app.get("/version", (c) => c.json({ version: VERSIONS[x.o.flavour] }));
  app.get("/settings/api", (c) => c.json({ max_response_items: 50, default_paging_num: 30, default_git_trees_per_page: 1000, default_max_blob_size: 10485760 }));
  app.get("/user", (c) => c.json(userJson(x.base(), state.user(x.user(c)))));

  app.get("/repos/:owner/:repo", (c) => {
    const r = x.repoOf(c);
    return r ? c.json(repoJson(x.base(), r.repo, state.openPrCount(r))) : x.notFound(c);
  });
  app.get("/repos/:owner/:repo/branches/:branch", (c) => {
    const r = x.repoOf(c);
    const sha = r?.branches.get(c.req.param("branch"));
    if (!r || !sha) return c.json({ message: `branch does not exist [name: ${c.req.param("branch")}]` }, 404);
    return c.json(branchJson(x.base(), r.repo, c.req.param("branch"), sha, r.repo.owner));
  });

  // Only direct collaborators count (an org member with write through a team is 404 here).
  app.get("/repos/:owner/:repo/collaborators/:user", (c) => (x.repoOf(c)?.collaborators.has(c.req.param("user").toLowerCase()) ? c.body(null, 204) : x.notFound(c)));
  app.get("/repos/:owner/:repo/collaborators/:user/permission", (c) => {
    const r = x.repoOf(c);
    // Before 1.17 the route does not exist: the router's plain-text 404, not an API error.
    if (x.o.flavour === "gitea-1.15") return c.text("404 page not found\n", 404);
    if (!r) return x.notFound(c);
    const permission = r.collaborators.get(c.req.param("user").toLowerCase()) ?? "none";
    return c.json({ permission, role_name: permission, user: userJson(x.base(), state.addUser(c.req.param("user"))) });
  });

  app.get("/repos/:owner/:repo/contents/:path{.+}", (c) => {
    const r = x.repoOf(c);
    if (!r) return x.notFound(c);
    const ref = c.req.query("ref") ?? r.repo.defaultBranch;
    const path = c.req.param("path");
    const content = r.files.get(`${ref}:${path}`);
    if (content === undefined) return x.notFound(c, "GetContentsOrList", [`object does not exist [id: , rel_path: ${path}]`]);
    const full = `${r.repo.owner.login}/${r.repo.name}`;
    const sha = blobSha(content);
    const self = `${x.base()}/api/v1/repos/${full}/contents/${path}?ref=${ref}`;
    const git = `${x.base()}/api/v1/repos/${full}/git/blobs/${sha}`;
    const html = `${x.base()}/${full}/src/branch/${ref}/${path}`;
    return c.json({
      name: path.split("/").at(-1),
      path,
      sha,
      type: "file",
      size: Buffer.byteLength(content),
      encoding: "base64",
      content: Buffer.from(content).toString("base64"),
      target: null,
      url: self,
      html_url: html,
      git_url: git,
      download_url: `${x.base()}/${full}/raw/branch/${ref}/${path}`,
      submodule_git_url: null,
      _links: { self, git, html },
    });
  });
}

/** A file's git blob id, as Gitea reports it. */
function blobSha(content: string): string {
  const bytes = Buffer.from(content);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}
