// What the newer flavours send differently from Gitea 1.15.11 (whose shapes api-json.ts builds):
// one table per object or payload. The facts come from the derived fixtures' READMEs, which cite
// the servers' source lines: test/fixtures/forges/gitea-modern/README.md (Gitea main @ 87d670c96b28)
// and test/fixtures/forges/forgejo/README.md (Forgejo v11.0.1). gitea-1.15 has no entries, so
// its output stays exactly what api-json.ts builds.
import { createHash } from "node:crypto";
import type { EmuPull, EmuRepo, EmuUser } from "./entities.ts";
import type { Flavour } from "./flavour.ts";

export type Json = Record<string, unknown>;

/** How a newer server's object differs from the 1.15 one. */
export interface Reshape {
  /** Fields it no longer sends. */
  readonly drop?: readonly string[];
  /** Fields it sends with another value, kept in place. */
  readonly set?: Readonly<Json>;
  /** New fields, each group right after the 1.15 key it follows there (so key order matches too). */
  readonly add?: ReadonlyArray<readonly [after: string, fields: Readonly<Json>]>;
  /** Changes to a nested object (left alone when that field is null). */
  readonly within?: Readonly<Record<string, Reshape>>;
}

/** `obj` as the newer server sends it. */
export function reshape(obj: Readonly<Json>, r: Reshape): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(obj)) {
    if (!r.drop?.includes(key)) out[key] = nested(r.set && key in r.set ? r.set[key] : value, r.within?.[key]);
    for (const [after, fields] of r.add ?? []) if (after === key) Object.assign(out, fields);
  }
  // A misspelt anchor would silently lose its fields.
  for (const [after] of r.add ?? []) if (!(after in obj)) throw new Error(`emulator: no field ${after} to add after`);
  return out;
}

function nested(value: unknown, r: Reshape | undefined): unknown {
  return r && value !== null && typeof value === "object" && !Array.isArray(value) ? reshape(value as Json, r) : value;
}

const SAME: Reshape = {};
const EPOCH = "0001-01-01T00:00:00Z";
/** `TimeStamp(0).AsTime()`: what newer servers show for a zero Unix time. */
const UNIX_EPOCH = "1970-01-01T00:00:00Z";

/** Behaviour (not object fields) that differs by flavour. */
export interface FlavourFacts {
  /** X-Gitea/Gogs/GitHub-Event-Type headers (Gitea 1.16+, PR #17222; Forgejo too). */
  readonly eventTypeHeaders: boolean;
  /** X-Gitea/GitHub-Hook-Installation-Target-Type: repository (Gitea 1.24+, PR #33752; not in Forgejo v11). */
  readonly installationTargetHeaders: boolean;
  /** X-Forgejo-Delivery/Event/Event-Type/Signature, written before the others. */
  readonly forgejoHeaders: boolean;
  /** Commits a push lists: Gitea's FeedMaxCommitNum (5), Forgejo's PAYLOAD_COMMIT_LIMIT (15). */
  readonly pushCommitLimit: number;
  /** `total_commits` in push payloads (Gitea 1.18+, PR #21400). */
  readonly totalCommits: boolean;
  /**
   * A new branch's push lists the new commit and its ancestors (`CommitsBeforeLimit(10)`) and
   * compares from the default branch when the oldest has no parent; 1.15 compared from 000…0.
   */
  readonly newBranchFromDefault: boolean;
  /** A comment on a PR carries the PR itself (Gitea 1.23+, PR #26178; Forgejo port c3741d7fb0). */
  readonly commentCarriesPull: boolean;
  /**
   * For a gitea-type hook Forgejo re-marshals create/delete bodies through a map to shorten
   * `ref` (services/webhook/default.go:146-160): compact JSON, keys sorted at every level.
   */
  readonly compactRefEvents: boolean;
}

export const FACTS: Readonly<Record<Flavour, FlavourFacts>> = {
  "gitea-1.15": {
    eventTypeHeaders: false,
    installationTargetHeaders: false,
    forgejoHeaders: false,
    pushCommitLimit: 5,
    totalCommits: false,
    newBranchFromDefault: false,
    commentCarriesPull: false,
    compactRefEvents: false,
  },
  "gitea-modern": {
    eventTypeHeaders: true,
    installationTargetHeaders: true,
    forgejoHeaders: false,
    pushCommitLimit: 5,
    totalCommits: true,
    newBranchFromDefault: true,
    commentCarriesPull: true,
    compactRefEvents: false,
  },
  forgejo: {
    eventTypeHeaders: true,
    installationTargetHeaders: false,
    forgejoHeaders: true,
    pushCommitLimit: 15,
    totalCommits: true,
    newBranchFromDefault: true,
    commentCarriesPull: true,
    compactRefEvents: true,
  },
};

/** Users: `modules/structs/user.go` (both READMEs, "User"). */
export function userReshape(f: Flavour, base: string, u: EmuUser): Reshape {
  if (f === "gitea-1.15") return SAME;
  // OFFLINE_MODE (the default) gives a generated avatar named md5(email), or md5(name) without an email.
  const avatar = createHash("md5").update((u.email || u.login).toLowerCase()).digest("hex");
  const modern: Reshape = {
    set: { avatar_url: `${base}/avatars/${avatar}` },
    add: [
      ["login", { login_name: "", source_id: 0 }],
      ["avatar_url", { html_url: `${base}/${u.login}` }],
    ],
  };
  return f === "gitea-modern" ? modern : { ...modern, add: [...(modern.add ?? []), ["location", { pronouns: "" }]] };
}

/** Repositories: `modules/structs/repo.go`, filled by `services/convert/repository.go` (both READMEs, "Repository"). */
export function repoReshape(f: Flavour, base: string, r: EmuRepo): Reshape {
  if (f === "gitea-1.15") return SAME;
  const api = `${base}/api/v1/repos/${r.owner.login}/${r.name}`;
  const urls = [
    ["size", { language: "", languages_url: `${api}/languages` }],
    ["html_url", { url: api, link: "" }],
    ["updated_at", { archived_at: UNIX_EPOCH }],
  ] as const;
  const units = { has_releases: true, has_packages: true, has_actions: true };
  // New repos get fast-forward-only merges and rebase updates allowed.
  const merges = { allow_fast_forward_only_merge: true, allow_rebase_update: true };
  if (f === "gitea-modern") {
    return {
      // `parent` is omitempty in modern Gitea.
      drop: ["parent"],
      add: [
        ...urls,
        // has_code is in the struct but never set at that commit.
        ["permissions", { has_code: false }],
        ["has_projects", { projects_mode: "all", ...units }],
        ["allow_squash_merge", { ...merges, allow_manual_merge: false, autodetect_manual_merge: false, default_delete_branch_after_merge: false }],
        ["default_merge_style", { default_allow_maintainer_edit: false }],
        ["mirror_interval", { object_format_name: "sha1", mirror_updated: EPOCH, topics: [], licenses: [] }],
      ],
    };
  }
  return {
    // Forgejo keeps `parent: null`, adds `repo_transfer: null`, and passes nil topics through as null.
    add: [
      ...urls,
      ["has_wiki", { wiki_branch: r.defaultBranch, globally_editable_wiki: false }],
      ["has_projects", units],
      ["allow_squash_merge", { ...merges, default_delete_branch_after_merge: false }],
      ["default_merge_style", { default_allow_maintainer_edit: false, default_update_style: "merge" }],
      ["mirror_interval", { object_format_name: "sha1", mirror_updated: EPOCH, repo_transfer: null, topics: null }],
    ],
  };
}

/**
 * Pull requests: `modules/structs/pull.go`, filled by `services/convert/pull.go` (both READMEs,
 * "PullRequest"). The emulator keeps no diffs, so the diff stat is 0.
 */
export function pullReshape(f: Flavour): Reshape {
  if (f === "gitea-1.15") return SAME;
  const reviewers = ["assignees", { requested_reviewers: [], requested_reviewers_teams: [] }] as const;
  const diffStat = { additions: 0, deletions: 0, changed_files: 0 };
  if (f === "gitea-modern") {
    return {
      // Gitea sends assignees as [] (never null); review_comments is omitempty, so absent at 0.
      set: { assignees: [] },
      add: [reviewers, ["state", { draft: false }], ["comments", diffStat], ["merged_by", { allow_maintainer_edit: false }], ["closed_at", { pin_order: 0 }]],
    };
  }
  return {
    // Forgejo copies the issue's assignees (null when none) and always sends review_comments.
    add: [
      reviewers,
      ["state", { draft: false }],
      ["comments", { review_comments: 0, ...diffStat }],
      ["merged_by", { allow_maintainer_edit: false }],
      ["closed_at", { pin_order: 0, flow: 0 }],
    ],
  };
}

/** Issues: `modules/structs/issue.go` (both READMEs, "Issue"); a PR's `pull_request` meta gains `draft` and `html_url`. */
export function issueReshape(f: Flavour, base: string, r: EmuRepo, p: Pick<EmuPull, "number">): Reshape {
  if (f === "gitea-1.15") return SAME;
  const within = { pull_request: { add: [["merged_at", { draft: false, html_url: `${base}/${r.owner.login}/${r.name}/pulls/${p.number}` }]] } } as const;
  // time_estimate is Gitea-only.
  const estimate = f === "gitea-modern" ? [["due_date", { time_estimate: 0 }] as const] : [];
  return { add: [["ref", { assets: [] }], ...estimate, ["repository", { pin_order: 0 }]], within };
}

/** Comments: `modules/structs/issue_comment.go` (both READMEs): attachments as `assets`. */
export function commentReshape(f: Flavour): Reshape {
  return f === "gitea-1.15" ? SAME : { add: [["body", { assets: [] }]] };
}

/** `PullRequestPayload` (both READMEs): `requested_reviewer` and `commit_id` always sent (empty outside reviews). */
export function pullPayloadReshape(f: Flavour): Reshape {
  return f === "gitea-1.15" ? SAME : { add: [["pull_request", { requested_reviewer: null }], ["sender", { commit_id: "" }]] };
}

/** Gitea's `ChangesPayload` ends with label lists that have no omitempty; Forgejo's has no label lists. */
export function changesReshape(f: Flavour, changes: Readonly<Json>): Reshape {
  const last = Object.keys(changes).at(-1);
  return f === "gitea-modern" && last !== undefined ? { add: [[last, { added_labels: null, removed_labels: null }]] } : SAME;
}
