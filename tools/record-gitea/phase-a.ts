import type { ActionStep } from "./actions.ts";
import { as, cloneOf, HOOK_EVENTS, need, ORG, REPO, SECRET, type Ctx } from "./context.ts";
import { newUser } from "./setup.ts";

/**
 * Deliveries 001–008, as the first 1.15.11 instance made them: `gadmin` is the bot and pushes,
 * `bob` is a write collaborator on `e2e-org/demo`, `carol` has no rights. Its `demo` is deleted
 * afterwards so that phase B starts a new `demo` at PR #1 (numbers are per repository).
 */
export async function setupA(ctx: Ctx): Promise<void> {
  await newUser(ctx, "bob");
  await newUser(ctx, "carol");
  await ctx.admin.createOrg(ORG);
  await ctx.admin.createRepo(ORG, "demo");
  await ctx.admin.addCollaborator(REPO, "bob", "write");
  await ctx.admin.createHook(REPO, ctx.rx.url(), SECRET, HOOK_EVENTS);
  ctx.clone = await ctx.git.clone(`${ctx.url}/${REPO}.git`, "demo-a");
  ctx.log(`phase A: users bob, carol; ${REPO} with a webhook to ${ctx.rx.url()}`);
}

export const ACTIONS_A: ActionStep[] = [
  {
    what: "push a new branch feature-1",
    expects: [{ file: "001-push", event: "push" }],
    run: async (ctx) => {
      const c = cloneOf(ctx);
      await c.branchFrom("feature-1");
      await c.commit("feat: add feature.txt", { "feature.txt": "feature 1\n" });
      await c.git("push", "--quiet", "origin", "HEAD:refs/heads/feature-1");
    },
  },
  {
    what: "gadmin opens PR feature-1 -> main",
    expects: [{ file: "002-pull_request-opened", event: "pull_request", action: "opened" }],
    run: async (ctx) => {
      const pr = await ctx.admin.post<{ number: number }>(`/repos/${REPO}/pulls`, { head: "feature-1", base: "main", title: "Feature 1", body: "PR for webhook e2e" });
      ctx.state.set("f1.pr", pr.number);
    },
  },
  {
    what: "push two commits to main (claim, then review)",
    expects: [{ file: "003-push", event: "push" }],
    run: async (ctx) => {
      const c = cloneOf(ctx);
      await c.branchFrom("main");
      await c.commit("claim(gate-1): take gate 1 for e2e bot", { "gate-1.md": "claimed by the e2e bot\n" });
      await c.commit("review(gate-1): looks good, ready to verify", { "gate-1.md": "claimed by the e2e bot\nreviewed: looks good\n" });
      await c.git("push", "--quiet", "origin", "HEAD:refs/heads/main");
    },
  },
  {
    what: "bob comments !testme on the PR",
    expects: [{ file: "004-issue_comment-created", event: "issue_comment", action: "created" }],
    run: async (ctx) => {
      const c = await as(ctx, "bob").comment(REPO, Number(need(ctx, "f1.pr")), "!testme");
      ctx.state.set("f1.comment", c.id);
    },
  },
  {
    what: "bob edits that comment",
    expects: [{ file: "005-issue_comment-edited", event: "issue_comment", action: "edited" }],
    run: async (ctx) => {
      await as(ctx, "bob").call("PATCH", `/repos/${REPO}/issues/comments/${need(ctx, "f1.comment")}`, { body: "!testme --edited please rerun" });
    },
  },
  {
    what: "push a commit to the PR branch feature-1",
    expects: [
      { file: "006-push", event: "push" },
      { file: "007-pull_request-synchronized", event: "pull_request", action: "synchronized" },
    ],
    run: async (ctx) => {
      const c = cloneOf(ctx);
      await c.branchFrom("feature-1", "origin/feature-1");
      await c.commit("feat: second change on PR branch", { "feature.txt": "feature 1, second change\n" });
      await c.git("push", "--quiet", "origin", "HEAD:refs/heads/feature-1");
    },
  },
  {
    what: "gadmin (the bot in phase A) comments through the API",
    expects: [{ file: "008-issue_comment-created", event: "issue_comment", action: "created" }],
    run: async (ctx) => {
      await ctx.admin.comment(REPO, Number(need(ctx, "f1.pr")), "bot: got `!testme`, starting run (e2e check)");
    },
  },
];
