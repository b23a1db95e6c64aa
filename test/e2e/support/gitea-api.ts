/**
 * The real Gitea's REST API as its users and its admin call it: basic auth as a user,
 * JSON in and out. Only what the end-to-end suite needs to set a world up and read the
 * results back. Every call that fails throws one line naming the call and Gitea's answer.
 */
export interface Credentials {
  user: string;
  password: string;
}

export class GiteaApi {
  constructor(
    readonly url: string,
    readonly as: Credentials,
  ) {}

  /** The same server, another user. */
  user(as: Credentials): GiteaApi {
    return new GiteaApi(this.url, as);
  }

  async call<T = unknown>(method: string, path: string, body?: unknown, okStatuses: number[] = []): Promise<{ status: number; data: T; headers: Headers }> {
    const res = await fetch(`${this.url}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`${this.as.user}:${this.as.password}`).toString("base64")}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      redirect: "manual",
    });
    const text = await res.text();
    if (!res.ok && !okStatuses.includes(res.status)) throw new Error(`${method} ${path} as ${this.as.user}: ${res.status} ${text.slice(0, 200)}`);
    return { status: res.status, data: (text ? JSON.parse(text) : null) as T, headers: res.headers };
  }

  async get<T = unknown>(path: string): Promise<T> {
    return (await this.call<T>("GET", path)).data;
  }

  async post<T = unknown>(path: string, body: unknown): Promise<T> {
    return (await this.call<T>("POST", path, body)).data;
  }

  async createUser(name: string, password: string): Promise<Credentials> {
    await this.post("/admin/users", { username: name, email: `${name}@example.test`, password, must_change_password: false });
    return { user: name, password };
  }

  async createOrg(name: string): Promise<void> {
    await this.post("/orgs", { username: name, visibility: "public" });
  }

  /** A repo with a first commit on `main` (auto_init), as a recipe or loop repo starts. */
  async createRepo(org: string, name: string): Promise<void> {
    await this.post(`/orgs/${org}/repos`, { name, auto_init: true, default_branch: "main", readme: "Default" });
  }

  async addCollaborator(repo: string, user: string, permission: "read" | "write" | "admin"): Promise<void> {
    await this.call("PUT", `/repos/${repo}/collaborators/${user}`, { permission });
  }

  /** A team of the org with write access to its repos; the users become its members. */
  async addTeam(org: string, name: string, users: string[]): Promise<void> {
    const team = await this.post<{ id: number }>(`/orgs/${org}/teams`, {
      name,
      permission: "write",
      includes_all_repositories: true,
      units: ["repo.code", "repo.issues", "repo.pulls", "repo.releases", "repo.wiki"],
    });
    for (const u of users) await this.call("PUT", `/teams/${team.id}/members/${u}`);
  }

  /** An API token of the calling user (POST /users/{name}/tokens needs basic auth as that user). */
  async createToken(name: string): Promise<string> {
    const t = await this.post<{ sha1: string }>(`/users/${this.as.user}/tokens`, { name });
    return t.sha1;
  }

  /** A webhook as the README's setup section says: JSON, a secret, push + pull request + PR comments. */
  async createHook(repo: string, url: string, secret: string, events = ["push", "pull_request", "pull_request_comment"]): Promise<number> {
    const hook = await this.post<{ id: number }>(`/repos/${repo}/hooks`, {
      type: "gitea",
      active: true,
      events,
      config: { url, content_type: "json", secret },
    });
    return hook.id;
  }

  async createPull(repo: string, head: string, title: string): Promise<{ number: number; sha: string }> {
    const pr = await this.post<{ number: number; head: { sha: string } }>(`/repos/${repo}/pulls`, { head, base: "main", title });
    return { number: pr.number, sha: pr.head.sha };
  }

  /** A plain issue (not a PR). */
  async createIssue(repo: string, title: string): Promise<{ number: number }> {
    return this.post(`/repos/${repo}/issues`, { title });
  }

  async comment(repo: string, issue: number, body: string): Promise<{ id: number; created_at: string }> {
    return this.post(`/repos/${repo}/issues/${issue}/comments`, { body });
  }

  async comments(repo: string, issue: number): Promise<Array<{ id: number; body: string; user: { login: string }; created_at: string; updated_at: string }>> {
    return this.get(`/repos/${repo}/issues/${issue}/comments`);
  }

  /** Every status of a commit, oldest first (by id: Gitea's own orders tie within a second). Gitea names a status's state `status` here (`state` only when creating one). */
  async statuses(repo: string, sha: string): Promise<Array<{ id: number; state: string; context: string; description: string; target_url: string; created_at: string }>> {
    const list = await this.get<Array<{ id: number; status: string; context: string; description: string; target_url: string; created_at: string }>>(`/repos/${repo}/statuses/${sha}?limit=50`);
    return list.map(({ status, ...rest }) => ({ ...rest, state: status })).sort((x, y) => x.id - y.id);
  }

  async reactions(repo: string, commentId: number): Promise<Array<{ content: string; user: { login: string } }>> {
    return (await this.get<Array<{ content: string; user: { login: string } }> | null>(`/repos/${repo}/issues/comments/${commentId}/reactions`)) ?? [];
  }

  async testDelivery(repo: string, hookId: number): Promise<number> {
    return (await this.call("POST", `/repos/${repo}/hooks/${hookId}/tests`)).status;
  }
}
