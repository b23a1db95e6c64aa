// What the bot asks of the forge, and how a failed call is told apart (docs/design.md#gitea-facts).

export type StatusState = "pending" | "success" | "error" | "failure" | "warning";

export interface PullRequestInfo {
  number: number;
  state: string;
  headSha: string;
  headRef: string;
  htmlUrl: string | null;
}

export interface CommentInfo {
  id: number;
  htmlUrl: string;
  body: string;
  author: string;
  createdAt: string;
  updatedAt: string;
}

export interface StatusInfo {
  context: string;
  state: string;
  description: string;
  targetUrl: string;
}

/** The Gitea calls the bot makes (docs/design.md#gitea-facts). Handlers receive only the methods they use. */
export interface GiteaPort {
  currentUser(): Promise<string>;
  isOrgMember(org: string, user: string): Promise<boolean>;
  isCollaborator(owner: string, repo: string, user: string): Promise<boolean>;
  /** The user's permission on the repo, or null where the endpoint does not exist (before 1.17). */
  permission(owner: string, repo: string, user: string): Promise<"admin" | "write" | "read" | "none" | null>;
  pullRequest(owner: string, repo: string, number: number): Promise<PullRequestInfo>;
  openPullRequests(owner: string, repo: string): Promise<PullRequestInfo[]>;
  comments(owner: string, repo: string, number: number, since?: string): Promise<CommentInfo[]>;
  combinedStatus(owner: string, repo: string, ref: string): Promise<{ state: string; statuses: StatusInfo[] }>;
  fileContents(owner: string, repo: string, path: string, ref: string): Promise<string | null>;
  /** Full names of an organisation's repositories. */
  orgRepos(org: string): Promise<string[]>;
  /** Full names of a user's repositories (an owner that is not an organisation). */
  userRepos(user: string): Promise<string[]>;
  /** A repository's default branch, the head commit of that branch, and its clone URL. */
  defaultBranchHead(owner: string, repo: string): Promise<{ branch: string; sha: string; cloneUrl: string }>;
  createIssue(owner: string, repo: string, title: string, body: string): Promise<{ number: number; htmlUrl: string }>;
  createComment(owner: string, repo: string, number: number, body: string): Promise<{ id: number }>;
  editComment(owner: string, repo: string, id: number, body: string): Promise<void>;
  setStatus(owner: string, repo: string, sha: string, s: { state: StatusState; context: string; description: string; targetUrl?: string | undefined }): Promise<void>;
  addReaction(owner: string, repo: string, commentId: number, reaction: string): Promise<void>;
}

/** A failed Gitea call: `status` 0 means no answer (network error or timeout). */
export class GiteaError extends Error {
  constructor(
    readonly op: string,
    readonly status: number,
    detail: string,
  ) {
    super(`gitea ${op} failed: ${status === 0 ? "no answer" : `HTTP ${status}`}${detail ? ` (${detail})` : ""}`);
    this.name = "GiteaError";
  }

  /** Worth trying again later: no answer, a server error, or a rate/timeout answer. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500 || this.status === 408 || this.status === 429;
  }
}
