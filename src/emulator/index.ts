import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { createApi } from "./api.ts";
import { deletePayload, issueCommentPayload, pullRequestPayload, pushPayload } from "./payloads.ts";
import type { EmuCommit, EmuPull } from "./entities.ts";
import type { Json } from "./flavour-fields.ts";
import { sendDelivery, type Flavour, type SentDelivery } from "./sender.ts";
import { EmulatorState, type RepoState } from "./state.ts";

export { EmulatorState } from "./state.ts";
export type { Flavour, SentDelivery } from "./sender.ts";

export type HookEvent = "push" | "pull_request" | "issue_comment" | "delete";

export interface Hook {
  url: string;
  secret: string;
  events: ReadonlySet<HookEvent>;
}

export interface EmulatorOptions {
  flavour?: Flavour;
  now?: () => number;
  /** Gitea's DELIVER_TIMEOUT; shorter in tests that check the give-up. */
  deliverTimeoutMs?: number;
}

/**
 * An in-process Gitea for tests and the demo: the API subset of docs/design.md#gitea-facts over real HTTP, and
 * webhooks sent as Gitea sends them. User actions (comment, open a PR, push) change the
 * state and deliver the matching webhook to every registered hook; the deliveries' outcomes
 * are returned, since Gitea itself never retries.
 */
export class GiteaEmulator {
  readonly state: EmulatorState;
  readonly hooks: Hook[] = [];
  readonly flavour: Flavour;
  /** Deliveries triggered by API calls (e.g. the bot's own comments). */
  readonly background: Array<Promise<SentDelivery[]>> = [];
  private readonly sent: Array<{ event: HookEvent; eventType: string; payload: unknown }> = [];
  private server: Server | null = null;
  private baseUrl = "";
  private readonly deliverTimeoutMs: number | undefined;

  constructor(options: EmulatorOptions = {}) {
    this.flavour = options.flavour ?? "gitea-modern";
    this.deliverTimeoutMs = options.deliverTimeoutMs;
    this.state = new EmulatorState(options.now);
  }

  get url(): string {
    return this.baseUrl;
  }

  get modern(): boolean {
    return this.flavour !== "gitea-1.15";
  }

  async start(port = 0): Promise<this> {
    const app = createApi({
      state: this.state,
      base: () => this.baseUrl,
      flavour: this.flavour,
      onComment: (r, id, action) => {
        const comment = r.comments.find((c) => c.id === id)!;
        this.background.push(this.deliverComment(r, comment.id, action, comment.author.login));
      },
    });
    await new Promise<void>((resolve) => {
      this.server = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, () => resolve()) as Server;
    });
    this.baseUrl = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.background);
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  addHook(url: string, secret: string, events: HookEvent[] = ["push", "pull_request", "issue_comment"]): void {
    this.hooks.push({ url, secret, events: new Set(events) });
  }

  /** Opens a PR and delivers `pull_request` / `opened`. */
  async openPull(fullName: string, p: { author: string; headRef: string; headSha: string; title?: string; baseSha?: string }) {
    const r = this.state.repo(fullName);
    const at = this.state.timestamp();
    const pull: EmuPull = {
      id: this.state.id(),
      number: this.state.nextIssueNumber(r),
      title: p.title ?? `Change ${p.headRef}`,
      body: "",
      state: "open",
      merged: false,
      author: this.state.user(p.author),
      headRef: p.headRef,
      headSha: p.headSha,
      baseRef: r.repo.defaultBranch,
      baseSha: p.baseSha ?? "0".repeat(39) + "1",
      createdAt: at,
      updatedAt: at,
    };
    r.pulls.set(pull.number, pull);
    const deliveries = await this.deliverPull(r, pull, "opened", "pull_request", p.author);
    return { pull, deliveries };
  }

  /** New commits on a PR: `pull_request` / `synchronized` (type pull_request_sync). */
  async pushToPull(fullName: string, number: number, headSha: string, by?: string) {
    const r = this.state.repo(fullName);
    const pull = this.pull(r, number);
    pull.headSha = headSha;
    pull.updatedAt = this.state.timestamp();
    return this.deliverPull(r, pull, "synchronized", "pull_request_sync", by ?? pull.author.login);
  }

  async closePull(fullName: string, number: number, by?: string) {
    return this.changePull(fullName, number, "closed", by, (p) => (p.state = "closed"));
  }

  async reopenPull(fullName: string, number: number, by?: string) {
    return this.changePull(fullName, number, "reopened", by, (p) => (p.state = "open"));
  }

  /** Merged: Gitea sends `closed` with `merged: true`, who merged it and the merge commit. */
  async mergePull(fullName: string, number: number, by: string, mergeCommitSha: string) {
    return this.changePull(fullName, number, "closed", by, (p) => {
      Object.assign(p, { state: "closed", merged: true, mergedAt: this.state.timestamp(), mergedBy: this.state.user(by), mergeCommitSha });
    });
  }

  /** Retitled: `edited`, with the old title under `changes`. */
  async retitlePull(fullName: string, number: number, title: string, by?: string) {
    const from = this.pull(this.state.repo(fullName), number).title;
    return this.changePull(fullName, number, "edited", by, (p) => (p.title = title), { title: { from } });
  }

  /** A user comments on a PR or an issue: the comment is stored and `issue_comment` / `created` delivered. */
  async comment(fullName: string, number: number, author: string, body: string) {
    const r = this.state.repo(fullName);
    if (!this.state.hasIssue(r, number)) throw new Error(`emulator: no issue or PR #${number}`);
    const comment = this.state.addComment(r, number, author, body);
    const deliveries = await this.deliverComment(r, comment.id, "created", author);
    return { comment, deliveries };
  }

  /** A plain issue (not a PR), opened by `author`. */
  openIssue(fullName: string, author: string, title: string, body = ""): number {
    const r = this.state.repo(fullName);
    const number = this.state.nextIssueNumber(r);
    r.issues.push({ id: this.state.id(), number, title, body, author, createdAt: this.state.timestamp() });
    return number;
  }

  /** A user deletes a comment: `issue_comment` / `deleted` with the comment as it was. */
  async deleteComment(fullName: string, commentId: number, by: string) {
    const r = this.state.repo(fullName);
    const at = r.comments.findIndex((c) => c.id === commentId);
    if (at < 0) throw new Error(`emulator: no comment ${commentId}`);
    const deliveries = await this.deliverComment(r, commentId, "deleted", by);
    r.comments.splice(at, 1);
    return deliveries;
  }

  /** A branch deleted (`git push --delete`): Gitea sends only a `delete` event. */
  async deleteBranch(fullName: string, branch: string, by: string) {
    const r = this.state.repo(fullName);
    r.branches.delete(branch);
    return this.deliver("delete", "delete", deletePayload(this.baseUrl, this.flavour, r.repo, branch, "branch", this.state.user(by), this.state.openPrCount(r)));
  }

  async editComment(fullName: string, commentId: number, body: string) {
    const r = this.state.repo(fullName);
    const comment = r.comments.find((c) => c.id === commentId);
    if (!comment) throw new Error(`emulator: no comment ${commentId}`);
    const previous = comment.body;
    comment.body = body;
    comment.updatedAt = this.state.timestamp();
    return this.deliverComment(r, commentId, "edited", comment.author.login, previous);
  }

  /** A push to a branch; `commits` oldest first (the payload lists the newest 5, or 15 on Forgejo; for a new branch, pass the ancestors to list too). */
  async push(fullName: string, p: { ref: string; before: string; after: string; commits: EmuCommit[]; pusher: string; headCommit?: EmuCommit }) {
    const r = this.state.repo(fullName);
    if (p.ref.startsWith("refs/heads/")) this.state.setBranch(fullName, p.after, p.ref.slice("refs/heads/".length));
    const payload = pushPayload(this.baseUrl, {
      repo: r.repo,
      ref: p.ref,
      before: p.before,
      after: p.after,
      commitsOldestFirst: p.commits,
      pusher: this.state.user(p.pusher),
      openPrs: this.state.openPrCount(r),
      flavour: this.flavour,
      ...(p.headCommit ? { headCommit: p.headCommit } : {}),
    });
    return this.deliver("push", "push", payload);
  }

  /** Gitea's "Redeliver": the last payload sent again, under a new delivery id. */
  redeliverLast(): Promise<SentDelivery[]> {
    const last = this.sent.at(-1);
    if (!last) throw new Error("emulator: nothing was delivered yet");
    return this.deliver(last.event, last.eventType, last.payload);
  }

  /** Sends a payload to every hook subscribed to `event`, as Gitea would. */
  deliver(event: HookEvent, eventType: string, payload: unknown): Promise<SentDelivery[]> {
    this.sent.push({ event, eventType, payload });
    const hooks = this.hooks.filter((h) => h.events.has(event));
    return Promise.all(hooks.map((h) => sendDelivery(h.url, h.secret, this.flavour, event, eventType, payload, this.deliverTimeoutMs)));
  }

  private pull(r: RepoState, number: number): EmuPull {
    const pull = r.pulls.get(number);
    if (!pull) throw new Error(`emulator: no PR #${number}`);
    return pull;
  }

  private changePull(fullName: string, number: number, action: string, by: string | undefined, change: (p: EmuPull) => void, changes?: Json) {
    const r = this.state.repo(fullName);
    const pull = this.pull(r, number);
    change(pull);
    pull.updatedAt = this.state.timestamp();
    return this.deliverPull(r, pull, action, "pull_request", by ?? pull.author.login, changes);
  }

  private deliverPull(r: RepoState, pull: EmuPull, action: string, eventType: string, sender: string, changes?: Json) {
    const payload = pullRequestPayload(this.baseUrl, this.flavour, action, r.repo, pull, this.state.user(sender), this.state.openPrCount(r), this.state.commentCount(r, pull.number), changes);
    return this.deliver("pull_request", eventType, payload);
  }

  private deliverComment(r: RepoState, commentId: number, action: "created" | "edited" | "deleted", sender: string, previousBody?: string) {
    const comment = r.comments.find((c) => c.id === commentId)!;
    const issue = comment.issue;
    const plain = r.issues.find((i) => i.number === issue);
    const payload = issueCommentPayload(this.baseUrl, {
      action,
      repo: r.repo,
      issue: plain ? { ...plain, author: this.state.user(plain.author), state: "open", updatedAt: plain.createdAt } : this.pull(r, issue),
      comment,
      sender: this.state.user(sender),
      openPrs: this.state.openPrCount(r),
      comments: this.state.commentCount(r, issue),
      ...(previousBody !== undefined ? { previousBody } : {}),
      flavour: this.flavour,
    });
    return this.deliver("issue_comment", plain ? "issue_comment" : "pull_request_comment", payload);
  }
}
