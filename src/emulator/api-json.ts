// API objects with the field set a real Gitea 1.15.11 answers (compared with the real one by
// the end-to-end conformance suite); webhook payloads embed the same objects. The newer
// flavours' changes to them are tables in flavour-fields.ts. `flavour` defaults to 1.15 because
// the API routes do not pass theirs yet (they answer in the 1.15 shape).
import type { EmuComment, EmuCommit, EmuPull, EmuRepo, EmuUser } from "./entities.ts";
import { commentReshape, issueReshape, pullReshape, repoReshape, reshape, userReshape, type Json } from "./flavour-fields.ts";
import type { Flavour } from "./flavour.ts";

const EPOCH = "0001-01-01T00:00:00Z";

export function userJson(base: string, u: EmuUser, flavour: Flavour = "gitea-1.15"): Json {
  const json = {
    id: u.id,
    login: u.login,
    full_name: "",
    email: u.email,
    avatar_url: `${base}/user/avatar/${u.login}/-1`,
    language: "",
    is_admin: false,
    last_login: EPOCH,
    created: EPOCH,
    restricted: false,
    active: false,
    prohibit_login: false,
    location: "",
    website: "",
    description: "",
    visibility: "public",
    followers_count: 0,
    following_count: 0,
    starred_repos_count: 0,
    username: u.login,
  };
  return reshape(json, userReshape(flavour, base, u));
}

export function repoJson(base: string, r: EmuRepo, openPrs: number, flavour: Flavour = "gitea-1.15"): Json {
  const full = `${r.owner.login}/${r.name}`;
  const host = new URL(base).host.split(":")[0];
  const json = {
    id: r.id,
    owner: userJson(base, r.owner, flavour),
    name: r.name,
    full_name: full,
    description: "",
    empty: false,
    private: false,
    fork: false,
    template: false,
    parent: null,
    mirror: false,
    size: 1,
    html_url: `${base}/${full}`,
    ssh_url: `git@${host}:${full}.git`,
    clone_url: `${base}/${full}.git`,
    original_url: "",
    website: "",
    stars_count: 0,
    forks_count: 0,
    watchers_count: 1,
    open_issues_count: 0,
    open_pr_counter: openPrs,
    release_counter: 0,
    default_branch: r.defaultBranch,
    archived: false,
    created_at: EPOCH,
    updated_at: EPOCH,
    permissions: { admin: false, push: false, pull: false },
    has_issues: true,
    internal_tracker: { enable_time_tracker: true, allow_only_contributors_to_track_time: true, enable_issue_dependencies: true },
    has_wiki: true,
    has_pull_requests: true,
    has_projects: true,
    ignore_whitespace_conflicts: false,
    allow_merge_commits: true,
    allow_rebase: true,
    allow_rebase_explicit: true,
    allow_squash_merge: true,
    default_merge_style: "merge",
    avatar_url: "",
    internal: false,
    mirror_interval: "",
  };
  return reshape(json, repoReshape(flavour, base, r));
}

/** What Gitea's PR and issue objects both carry of an issue (a PR is an issue in Gitea). */
function issueFields(base: string, p: Pick<EmuPull, "author" | "title" | "body" | "state">, comments: number, flavour: Flavour) {
  return {
    user: userJson(base, p.author, flavour),
    title: p.title,
    body: p.body,
    labels: [],
    milestone: null,
    assignee: null,
    assignees: null,
    state: p.state,
    is_locked: false,
    comments,
  };
}

export function pullJson(base: string, r: EmuRepo, p: EmuPull, openPrs: number, comments: number, flavour: Flavour = "gitea-1.15"): Json {
  const full = `${r.owner.login}/${r.name}`;
  const repo = repoJson(base, r, openPrs, flavour);
  const json = {
    id: p.id,
    url: `${base}/${full}/pulls/${p.number}`,
    number: p.number,
    ...issueFields(base, p, comments, flavour),
    html_url: `${base}/${full}/pulls/${p.number}`,
    diff_url: `${base}/${full}/pulls/${p.number}.diff`,
    patch_url: `${base}/${full}/pulls/${p.number}.patch`,
    mergeable: true,
    merged: p.merged,
    merged_at: p.mergedAt ?? null,
    merge_commit_sha: p.mergeCommitSha ?? null,
    merged_by: p.mergedBy ? userJson(base, p.mergedBy, flavour) : null,
    base: { label: p.baseRef, ref: p.baseRef, sha: p.baseSha, repo_id: r.id, repo },
    head: { label: p.headRef, ref: p.headRef, sha: p.headSha, repo_id: r.id, repo },
    merge_base: p.baseSha,
    due_date: null,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: null,
  };
  return reshape(json, pullReshape(flavour));
}

export function commentJson(base: string, r: EmuRepo, c: EmuComment, flavour: Flavour = "gitea-1.15"): Json {
  const full = `${r.owner.login}/${r.name}`;
  const isPull = c.onPull;
  const kind = isPull ? "pulls" : "issues";
  const json = {
    id: c.id,
    html_url: `${base}/${full}/${kind}/${c.issue}#issuecomment-${c.id}`,
    pull_request_url: isPull ? `${base}/${full}/pulls/${c.issue}` : "",
    issue_url: isPull ? "" : `${base}/${full}/issues/${c.issue}`,
    user: userJson(base, c.author, flavour),
    original_author: "",
    original_author_id: 0,
    body: c.body,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
  return reshape(json, commentReshape(flavour));
}

/** An issue as Gitea shows it; a PR is an issue with `pull_request` set (merged or not), a plain issue has null there. */
export function issueJson(
  base: string,
  r: EmuRepo,
  p: Omit<EmuPull, "headRef" | "headSha" | "baseRef" | "baseSha" | "merged"> & { merged?: boolean },
  comments: number,
  flavour: Flavour = "gitea-1.15",
): Json {
  const full = `${r.owner.login}/${r.name}`;
  const isPull = p.merged !== undefined;
  const json = {
    id: p.id,
    url: `${base}/api/v1/repos/${full}/issues/${p.number}`,
    html_url: `${base}/${full}/${isPull ? "pulls" : "issues"}/${p.number}`,
    number: p.number,
    ...issueFields(base, p, comments, flavour),
    original_author: "",
    original_author_id: 0,
    ref: "",
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    closed_at: null,
    due_date: null,
    pull_request: isPull ? { merged: p.merged, merged_at: p.mergedAt ?? null } : null,
    repository: { id: r.id, name: r.name, owner: r.owner.login, full_name: full },
  };
  return reshape(json, issueReshape(flavour, base, r, p));
}

export function commitJson(base: string, r: EmuRepo, c: EmuCommit, author: EmuUser) {
  const person = { name: author.login, email: author.email, username: author.login };
  return {
    id: c.sha,
    message: c.message.endsWith("\n") ? c.message : `${c.message}\n`,
    url: `${base}/${r.owner.login}/${r.name}/commit/${c.sha}`,
    author: person,
    committer: person,
    verification: null,
    timestamp: c.timestamp,
    added: c.added,
    removed: c.removed,
    modified: c.modified,
  };
}

/** A branch as `GET /repos/{o}/{r}/branches/{b}` answers (1.15): its head commit without file lists. */
export function branchJson(base: string, r: EmuRepo, name: string, sha: string, author: EmuUser) {
  const commit = commitJson(base, r, { sha, message: "", added: [], removed: [], modified: [], timestamp: EPOCH }, author);
  return {
    name,
    commit: {
      ...commit,
      verification: { verified: false, reason: "gpg.error.not_signed_commit", signature: "", signer: null, payload: "" },
      added: null,
      removed: null,
      modified: null,
    },
    protected: false,
    required_approvals: 0,
    enable_status_check: false,
    status_check_contexts: [],
    user_can_push: true,
    user_can_merge: true,
    effective_branch_protection_name: "",
  };
}
