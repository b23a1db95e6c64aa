import { giteaApi, type Api } from "gitea-js";
import type { Metrics } from "../metrics.ts";
import type { Redactor } from "../redact.ts";
import { GiteaError, type CommentInfo, type GiteaPort, type PullRequestInfo, type StatusState } from "./port.ts";

const PAGE = 50;
const MAX_PAGES = 20;

export interface GiteaClientOptions {
  url: string;
  token: string;
  metrics?: Pick<Metrics, "giteaCalls">;
  redact?: Redactor;
  timeoutMs?: number;
}

/** GiteaPort over gitea-js; the only place that talks HTTP to the forge. */
export class GiteaClient implements GiteaPort {
  private readonly api: Api<unknown>;

  constructor(private readonly o: GiteaClientOptions) {
    const timeoutMs = o.timeoutMs ?? 30_000;
    this.api = giteaApi(o.url, {
      token: o.token,
      customFetch: (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) }),
    });
  }

  async currentUser(): Promise<string> {
    const r = await this.call("userGetCurrent", () => this.api.user.userGetCurrent());
    return r.data.login ?? "";
  }

  isOrgMember(org: string, user: string): Promise<boolean> {
    return this.exists("orgIsMember", () => this.api.orgs.orgIsMember(org, user));
  }

  isCollaborator(owner: string, repo: string, user: string): Promise<boolean> {
    return this.exists("repoCheckCollaborator", () => this.api.repos.repoCheckCollaborator(owner, repo, user));
  }

  async permission(owner: string, repo: string, user: string) {
    try {
      const r = await this.call("repoGetRepoPermissions", () => this.api.repos.repoGetRepoPermissions(owner, repo, user));
      const p = r.data.permission;
      return p === "owner" ? "admin" : p === "admin" || p === "write" || p === "read" ? p : "none";
    } catch (err) {
      if (err instanceof GiteaError && err.status === 404) return null;
      throw err;
    }
  }

  async pullRequest(owner: string, repo: string, number: number): Promise<PullRequestInfo> {
    const r = await this.call("repoGetPullRequest", () => this.api.repos.repoGetPullRequest(owner, repo, number));
    return toPull(r.data);
  }

  async openPullRequests(owner: string, repo: string): Promise<PullRequestInfo[]> {
    const all: PullRequestInfo[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const r = await this.call("repoListPullRequests", () => this.api.repos.repoListPullRequests(owner, repo, { state: "open", page, limit: PAGE }));
      all.push(...r.data.map(toPull));
      if (r.data.length < PAGE) break;
    }
    return all;
  }

  async comments(owner: string, repo: string, number: number, since?: string): Promise<CommentInfo[]> {
    const all: CommentInfo[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      // Gitea 1.15 ignores page and limit here and answers the whole list without paging
      // headers (recorded: test/fixtures/forges/gitea-1.15.11/api/16): only a server that
      // says how many there are (X-Total-Count) is asked for the next page.
      const query = { ...(since ? { since } : {}), page, limit: PAGE } as { since?: string };
      const r = await this.call("issueGetComments", () => this.api.repos.issueGetComments(owner, repo, number, query));
      all.push(
        ...r.data.map((c) => ({
          id: c.id ?? 0,
          htmlUrl: c.html_url ?? "",
          body: c.body ?? "",
          author: c.user?.login ?? "",
          createdAt: c.created_at ?? "",
          updatedAt: c.updated_at ?? "",
        })),
      );
      const total = r.headers.get("x-total-count");
      if (total === null || r.data.length < PAGE || all.length >= Number(total)) break;
    }
    return all;
  }

  async combinedStatus(owner: string, repo: string, ref: string) {
    const r = await this.call("repoGetCombinedStatusByRef", () => this.api.repos.repoGetCombinedStatusByRef(owner, repo, ref));
    return {
      state: r.data.state ?? "",
      statuses: (r.data.statuses ?? []).map((s) => ({
        context: s.context ?? "",
        state: s.status ?? "",
        description: s.description ?? "",
        targetUrl: s.target_url ?? "",
      })),
    };
  }

  async fileContents(owner: string, repo: string, path: string, ref: string): Promise<string | null> {
    try {
      const r = await this.call("repoGetContents", () => this.api.repos.repoGetContents(owner, repo, path, { ref }));
      return r.data.content ? Buffer.from(r.data.content, "base64").toString("utf8") : "";
    } catch (err) {
      if (err instanceof GiteaError && err.status === 404) return null;
      throw err;
    }
  }

  orgRepos(org: string): Promise<string[]> {
    return this.repoNames("orgListRepos", (page) => this.api.orgs.orgListRepos(org, { page, limit: PAGE }));
  }

  userRepos(user: string): Promise<string[]> {
    return this.repoNames("userListRepos", (page) => this.api.users.userListRepos(user, { page, limit: PAGE }));
  }

  /** The full names of a listing of repos, page by page up to MAX_PAGES. */
  private async repoNames(op: string, list: (page: number) => Promise<{ data: Array<{ full_name?: string }> }>): Promise<string[]> {
    const all: string[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const r = await this.call(op, () => list(page));
      all.push(...r.data.map((x) => x.full_name ?? "").filter(Boolean));
      if (r.data.length < PAGE) break;
    }
    return all;
  }

  async defaultBranchHead(owner: string, repo: string) {
    const r = await this.call("repoGet", () => this.api.repos.repoGet(owner, repo));
    const branch = r.data.default_branch || "main";
    const b = await this.call("repoGetBranch", () => this.api.repos.repoGetBranch(owner, repo, branch));
    const sha = b.data.commit?.id ?? "";
    if (!/^[0-9a-f]{40,64}$/.test(sha)) throw new GiteaError("repoGetBranch", 200, `no commit id for ${owner}/${repo}@${branch}`);
    return { branch, sha, cloneUrl: r.data.clone_url ?? "" };
  }

  async createIssue(owner: string, repo: string, title: string, body: string) {
    const r = await this.call("issueCreateIssue", () => this.api.repos.issueCreateIssue(owner, repo, { title, body }));
    return { number: r.data.number ?? 0, htmlUrl: r.data.html_url ?? "" };
  }

  async createComment(owner: string, repo: string, number: number, body: string): Promise<{ id: number }> {
    const r = await this.call("issueCreateComment", () => this.api.repos.issueCreateComment(owner, repo, number, { body }));
    return { id: r.data.id ?? 0 };
  }

  async editComment(owner: string, repo: string, id: number, body: string): Promise<void> {
    await this.call("issueEditComment", () => this.api.repos.issueEditComment(owner, repo, id, { body }));
  }

  async setStatus(owner: string, repo: string, sha: string, s: { state: StatusState; context: string; description: string; targetUrl?: string | undefined }) {
    await this.call("repoCreateStatus", () =>
      this.api.repos.repoCreateStatus(owner, repo, sha, {
        state: s.state,
        context: s.context,
        description: s.description.slice(0, 255),
        ...(s.targetUrl ? { target_url: s.targetUrl } : {}),
      }),
    );
  }

  async addReaction(owner: string, repo: string, commentId: number, reaction: string): Promise<void> {
    await this.call("issuePostCommentReaction", () => this.api.repos.issuePostCommentReaction(owner, repo, commentId, { content: reaction }));
  }

  private async exists(op: string, fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await this.call(op, fn);
      return true;
    } catch (err) {
      if (err instanceof GiteaError && err.status === 404) return false;
      throw err;
    }
  }

  private async call<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      const r = await fn();
      this.o.metrics?.giteaCalls.inc({ op, status: String((r as { status?: number }).status ?? 200) });
      return r;
    } catch (err) {
      const status = typeof (err as { status?: unknown }).status === "number" ? (err as { status: number }).status : 0;
      this.o.metrics?.giteaCalls.inc({ op, status: String(status) });
      const detail = status === 0 ? (err as Error).message ?? "" : apiMessage(err);
      throw new GiteaError(op, status, (this.o.redact ?? ((s: string) => s))(detail).slice(0, 300));
    }
  }
}

function apiMessage(err: unknown): string {
  const e = (err as { error?: unknown }).error;
  if (e && typeof e === "object" && "message" in e && typeof e.message === "string") return e.message;
  return "";
}

function toPull(p: { number?: number; state?: string; head?: { sha?: string; ref?: string }; html_url?: string }): PullRequestInfo {
  return {
    number: p.number ?? 0,
    state: p.state ?? "",
    headSha: p.head?.sha ?? "",
    headRef: p.head?.ref ?? "",
    htmlUrl: p.html_url ?? null,
  };
}
