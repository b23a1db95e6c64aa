import type { EmuComment, EmuPull, EmuRepo, EmuUser } from "./entities.ts";

export type Permission = "read" | "write" | "admin";

export interface EmuStatus {
  id: number;
  state: string;
  context: string;
  description: string;
  targetUrl: string;
  creator: string;
  createdAt: string;
}

export interface EmuReaction {
  commentId: number;
  user: string;
  content: string;
}

export interface EmuIssue {
  id: number;
  number: number;
  title: string;
  body: string;
  author: string;
  createdAt: string;
}

export interface RepoState {
  repo: EmuRepo;
  collaborators: Map<string, Permission>;
  pulls: Map<number, EmuPull>;
  comments: EmuComment[];
  statuses: Map<string, EmuStatus[]>;
  reactions: EmuReaction[];
  /** "ref:path" -> content, for the contents API. */
  files: Map<string, string>;
  /** Branch name -> head commit (the default branch's head is what a sweep tests). */
  branches: Map<string, string>;
  /** Issues that are not PRs (they share the PRs' numbers, as in Gitea). */
  issues: EmuIssue[];
}

export interface RecordedCall {
  method: string;
  path: string;
  status: number;
  body: unknown;
  user: string | null;
  /** When the call was answered (ms since the epoch). */
  at: number;
}

/** A fault to inject: answer `status` (or hang for `hangMs`) for the next `times` matching calls. */
export interface Fault {
  method?: string;
  path: RegExp;
  status?: number;
  hangMs?: number;
  times: number;
}

/** The forge's data: users, orgs, repos, PRs, comments, statuses, reactions; plus a call log. */
export class EmulatorState {
  readonly users = new Map<string, EmuUser>();
  readonly tokens = new Map<string, string>();
  /** login -> password, for HTTP basic auth (users without one cannot log in that way). */
  readonly passwords = new Map<string, string>();
  readonly orgMembers = new Map<string, Set<string>>();
  /** Members who made their membership public (what outsiders may see). */
  readonly publicMembers = new Map<string, Set<string>>();
  readonly repos = new Map<string, RepoState>();
  readonly calls: RecordedCall[] = [];
  readonly faults: Fault[] = [];
  private nextId = 100;

  constructor(private readonly now: () => number = Date.now) {}

  id(): number {
    return this.nextId++;
  }

  timestamp(): string {
    return new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  addUser(login: string, token?: string): EmuUser {
    if (token) this.tokens.set(token, login);
    const existing = this.users.get(login.toLowerCase());
    if (existing) return existing;
    const user = { id: this.id(), login, email: `${login}@example.test` };
    this.users.set(login.toLowerCase(), user);
    return user;
  }

  user(login: string): EmuUser {
    const u = this.users.get(login.toLowerCase());
    if (!u) throw new Error(`emulator: no user ${login}`);
    return u;
  }

  addOrg(org: string, members: string[] = [], publicMembers: string[] = []): void {
    this.addUser(org);
    const set = this.orgMembers.get(org.toLowerCase()) ?? new Set<string>();
    const shown = this.publicMembers.get(org.toLowerCase()) ?? new Set<string>();
    for (const m of [...members, ...publicMembers]) {
      this.addUser(m);
      set.add(m.toLowerCase());
    }
    for (const m of publicMembers) shown.add(m.toLowerCase());
    this.orgMembers.set(org.toLowerCase(), set);
    this.publicMembers.set(org.toLowerCase(), shown);
  }

  /** The user a request's Authorization header names: a known token or basic auth; else null (anonymous). */
  authenticate(authorization: string): string | null {
    const basic = /^basic\s+(.+)$/i.exec(authorization);
    if (basic) {
      const [login, ...rest] = Buffer.from(basic[1]!, "base64").toString("utf8").split(":");
      const password = this.passwords.get((login ?? "").toLowerCase());
      return password !== undefined && password === rest.join(":") ? this.user(login!).login : null;
    }
    return this.tokens.get(authorization.replace(/^(token|bearer)\s+/i, "")) ?? null;
  }

  addRepo(fullName: string, collaborators: Record<string, Permission> = {}): RepoState {
    const [owner, name] = fullName.split("/") as [string, string];
    const state: RepoState = {
      repo: { id: this.id(), owner: this.addUser(owner), name, defaultBranch: "main" },
      collaborators: new Map(Object.entries(collaborators).map(([u, p]) => [u.toLowerCase(), p])),
      pulls: new Map(),
      comments: [],
      statuses: new Map(),
      reactions: [],
      files: new Map(),
      branches: new Map(),
      issues: [],
    };
    for (const u of Object.keys(collaborators)) this.addUser(u);
    this.repos.set(fullName.toLowerCase(), state);
    return state;
  }

  repo(fullName: string): RepoState {
    const r = this.repos.get(fullName.toLowerCase());
    if (!r) throw new Error(`emulator: no repo ${fullName}`);
    return r;
  }

  /** Moves a branch (the default branch when none is named) to a commit. */
  setBranch(fullName: string, sha: string, branch?: string): void {
    const r = this.repo(fullName);
    r.branches.set(branch ?? r.repo.defaultBranch, sha);
  }

  openPrCount(r: RepoState): number {
    return [...r.pulls.values()].filter((p) => p.state === "open").length;
  }

  commentCount(r: RepoState, issue: number): number {
    return r.comments.filter((c) => c.issue === issue).length;
  }

  /** A comment stored without a webhook; `id` only to stand in for one a recording names. */
  addComment(r: RepoState, issue: number, author: string, body: string, id = this.id()): EmuComment {
    const at = this.timestamp();
    const c: EmuComment = { id, issue, onPull: r.pulls.has(issue), author: this.user(author), body, createdAt: at, updatedAt: at };
    r.comments.push(c);
    return c;
  }

  /** Whether a PR or a plain issue has this number. */
  hasIssue(r: RepoState, number: number): boolean {
    return r.pulls.has(number) || r.issues.some((i) => i.number === number);
  }

  /** The next number of an issue or PR (they share one sequence, as in Gitea). */
  nextIssueNumber(r: RepoState): number {
    return r.pulls.size + r.issues.length + 1;
  }

  /** Statuses of one commit, newest first, as Gitea lists them. */
  statusesOf(fullName: string, sha: string): EmuStatus[] {
    return [...(this.repo(fullName).statuses.get(sha) ?? [])].reverse();
  }

  /** The latest status per context for a commit (what the combined status shows). */
  latestStatus(fullName: string, sha: string, context: string): EmuStatus | undefined {
    return this.statusesOf(fullName, sha).find((s) => s.context === context);
  }

  commentsOn(fullName: string, issue: number): EmuComment[] {
    return this.repo(fullName).comments.filter((c) => c.issue === issue);
  }

  /** Calls recorded so far, as "METHOD /path" lines (for asserting order). */
  callLines(filter: (c: RecordedCall) => boolean = () => true): string[] {
    return this.calls.filter(filter).map((c) => `${c.method} ${c.path}`);
  }
}
