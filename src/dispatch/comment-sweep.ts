import type { Clock } from "../clock.ts";
import { singleFlight } from "../util/single-flight.ts";
import type { GiteaPort } from "../gitea/port.ts";
import type { Logger } from "../log.ts";
import type { Store } from "../store/index.ts";
import type { CommentEvent } from "../webhooks/events.ts";
import { parseTestme } from "../commands/comment-lines.ts";
import { storeAsDelivery } from "../webhooks/synthetic.ts";

export interface CommentSweepDeps {
  /** `testme.repos`: exact names, or `owner/*` for an organisation's repos. */
  patterns: readonly string[];
  isTestmeRepo: (repo: string) => boolean;
  gitea: Pick<GiteaPort, "orgRepos" | "openPullRequests" | "comments">;
  giteaUrl: string;
  store: Pick<Store, "cursors" | "deliveries">;
  clock: Clock;
  log: Logger;
  onQueued: () => void;
}

export const FIRST_START = "bot:first-start";
/** Overlap between sweeps, so a comment written during the last one is not missed. */
const OVERLAP_MS = 60_000;

/**
 * The comment half of the catch-up sweep (docs/design.md#catch-up-sweeps): `!testme` comments on open PRs of
 * enrolled repos that no delivery brought (the bot was down, Gitea gave up) are stored as the
 * deliveries they should have been, deduplicated against the real ones by content key.
 * Comments older than the bot's first start are never acted on. Per repo: one listing of
 * open PRs and one `since=` listing of comments per PR.
 */
export class CommentSweep {
  /** One sweep at a time; a call during a sweep waits for that one. */
  readonly sweep = singleFlight(() => this.once());

  constructor(private readonly d: CommentSweepDeps) {}

  private async once(): Promise<void> {
    const { cursors } = this.d.store;
    const started = this.d.clock.now();
    const firstStart = Number(await cursors.setIfAbsent(FIRST_START, String(started), started));
    const repos = await this.repos();
    for (const repo of repos) {
      const key = `sweep:comments:${repo.toLowerCase()}`;
      const last = Number((await cursors.get(key)) ?? firstStart);
      try {
        await this.sweepRepo(repo, Math.max(firstStart, last - OVERLAP_MS), firstStart);
        await cursors.set(key, String(started), this.d.clock.now());
      } catch (err) {
        this.d.log.warn({ err, repo }, "catch-up sweep could not list the repo's comments");
      }
    }
    this.d.log.debug({ repos: repos.length }, "catch-up sweep of comments done");
  }

  private async repos(): Promise<string[]> {
    const repos = new Set<string>();
    for (const p of this.d.patterns) {
      if (!p.includes("*")) {
        repos.add(p);
        continue;
      }
      const owner = p.split("/")[0]!;
      try {
        for (const r of await this.d.gitea.orgRepos(owner)) if (this.d.isTestmeRepo(r)) repos.add(r);
      } catch (err) {
        this.d.log.warn({ err, owner }, "catch-up sweep could not list the organisation's repos");
      }
    }
    return [...repos];
  }

  private async sweepRepo(repo: string, sinceMs: number, firstStart: number): Promise<void> {
    const [owner, name] = repo.split("/") as [string, string];
    const since = new Date(sinceMs).toISOString();
    for (const pr of await this.d.gitea.openPullRequests(owner, name)) {
      for (const c of await this.d.gitea.comments(owner, name, pr.number, since)) {
        if (Date.parse(c.createdAt) < firstStart || parseTestme(c.body) === null) continue;
        const typed: CommentEvent = {
          kind: "comment",
          repo,
          action: "created",
          number: pr.number,
          isPull: true,
          issueState: "open",
          commentId: c.id,
          body: c.body,
          author: c.author,
          createdAt: c.createdAt,
          updatedAt: c.updatedAt,
          htmlUrl: c.htmlUrl || null,
          headSha: null,
          headRef: null,
          cloneUrl: `${this.d.giteaUrl}/${repo}.git`,
        };
        if (await storeAsDelivery(this.d.store.deliveries, { id: `sweep-comment-${repo}-${c.id}`, event: "issue_comment", typed, receivedAt: this.d.clock.now() })) {
          this.d.log.info({ repo, pr: pr.number, comment: c.id }, "catch-up: a !testme no delivery brought, queued");
          this.d.onQueued();
        }
      }
    }
  }
}
