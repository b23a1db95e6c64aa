import type { ActionStep } from "./actions.ts";
import { as, cloneOf, need, REPO, type Ctx } from "./context.ts";
import { waitUntil } from "./wait.ts";

const pulls = `/repos/${REPO}/pulls`;

/** Merges PR `n` as gadmin (a merge commit), retrying while the server is still checking it (405). */
async function merge(ctx: Ctx, n: string): Promise<void> {
  const body = { Do: "merge", MergeTitleField: `Merge pull request #${n}` };
  await waitUntil(
    async () => {
      const res = await ctx.admin.call("POST", `${pulls}/${n}/merge`, body, [405]);
      return res.status < 300;
    },
    `PR #${n} to become mergeable`,
    ctx.opts.deadlineMs,
    500,
  );
}

/** Deliveries 009–020, on the world of setupB with the webhook added after the exchanges. */
export const ACTIONS_B: ActionStep[] = [
  {
    what: "bob comments /help on the plain issue",
    expects: [{ file: "009-issue_comment-created", event: "issue_comment", action: "created" }],
    run: async (ctx) => {
      const c = await as(ctx, "bob").comment(REPO, Number(need(ctx, "issue")), "/help");
      ctx.state.set("help.comment", c.id);
    },
  },
  {
    what: "bob deletes that comment through the API",
    expects: [{ file: "010-issue_comment-deleted", event: "issue_comment", action: "deleted" }],
    run: async (ctx) => {
      await as(ctx, "bob").call("DELETE", `/repos/${REPO}/issues/comments/${need(ctx, "help.comment")}`);
    },
  },
  {
    what: "bob retitles PR #3",
    expects: [{ file: "011-pull_request-edited", event: "pull_request", action: "edited" }],
    run: async (ctx) => {
      await as(ctx, "bob").call("PATCH", `${pulls}/${need(ctx, "c.pr")}`, { title: "Add c.txt (v2)" });
    },
  },
  {
    what: "bob closes PR #2 without merging",
    expects: [{ file: "012-pull_request-closed", event: "pull_request", action: "closed" }],
    run: async (ctx) => {
      await as(ctx, "bob").call("PATCH", `${pulls}/${need(ctx, "b.pr")}`, { state: "closed" });
    },
  },
  {
    what: "bob reopens PR #2",
    expects: [{ file: "013-pull_request-reopened", event: "pull_request", action: "reopened" }],
    run: async (ctx) => {
      await as(ctx, "bob").call("PATCH", `${pulls}/${need(ctx, "b.pr")}`, { state: "open" });
    },
  },
  {
    what: "gadmin merges PR #1 through the API",
    expects: [
      { file: "014-pull_request-closed", event: "pull_request", action: "closed" },
      { file: "015-push", event: "push" },
    ],
    run: (ctx) => merge(ctx, need(ctx, "a.pr")),
  },
  {
    what: "git push origin --delete feature-a",
    expects: [{ file: "016-delete", event: "delete" }],
    run: async (ctx) => {
      await cloneOf(ctx).git("push", "--quiet", "origin", "--delete", "feature-a");
    },
  },
  {
    what: "push the annotated tag v1.0.0",
    expects: [{ file: "017-push", event: "push" }],
    run: async (ctx) => {
      const c = cloneOf(ctx);
      await c.branchFrom("main");
      await c.git("tag", "-a", "v1.0.0", "-m", "Release 1.0.0");
      await c.git("push", "--quiet", "origin", "refs/tags/v1.0.0");
    },
  },
  {
    what: "force push feature-c (its commit amended)",
    expects: [
      { file: "018-push", event: "push" },
      { file: "019-pull_request-synchronized", event: "pull_request", action: "synchronized" },
    ],
    run: async (ctx) => {
      const c = cloneOf(ctx);
      await c.branchFrom("feature-c", "origin/feature-c");
      await c.git("commit", "--quiet", "--amend", "-m", "feat: add c.txt (amended)");
      await c.git("push", "--quiet", "--force", "origin", "HEAD:refs/heads/feature-c");
    },
  },
  {
    what: "push 25 commits to main at once",
    expects: [{ file: "020-push", event: "push" }],
    run: async (ctx) => {
      const c = cloneOf(ctx);
      await c.branchFrom("main");
      for (let i = 1; i <= 25; i++) await c.commit(`chore: batch commit ${i} of 25`, { [`batch-${i}.txt`]: `${i}\n` });
      await c.git("push", "--quiet", "origin", "HEAD:refs/heads/main");
    },
  },
];
