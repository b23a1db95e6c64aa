// What the emulator keeps of users, repos, PRs, comments and commits: the fields its API
// answers and webhook payloads are made from.

export interface EmuUser {
  id: number;
  login: string;
  email: string;
}

export interface EmuRepo {
  id: number;
  owner: EmuUser;
  name: string;
  defaultBranch: string;
}

export interface EmuPull {
  id: number;
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  merged: boolean;
  /** Set when merged: when, by whom, and the merge commit. */
  mergedAt?: string;
  mergedBy?: EmuUser;
  mergeCommitSha?: string;
  author: EmuUser;
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  createdAt: string;
  updatedAt: string;
}

export interface EmuComment {
  id: number;
  issue: number;
  /** Whether the issue it is on is a PR (Gitea shapes the comment's links by that). */
  onPull: boolean;
  author: EmuUser;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface EmuCommit {
  sha: string;
  message: string;
  added: string[];
  removed: string[];
  modified: string[];
  timestamp: string;
}
