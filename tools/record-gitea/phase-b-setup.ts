import { randomBytes } from "node:crypto";
import { as, cloneOf, ORG, REPO, type Ctx } from "./context.ts";
import { basic, bearer } from "./exchange.ts";
import { createToken, newUser } from "./setup.ts";

/**
 * The world of `api/` and deliveries 009–020 (the second 1.15.11 instance): `ci-bot` is the bot
 * (plain user, write collaborator on a new `e2e-org/demo`, not an org member), `bob` a private
 * member through team `devs` (write), `dave` a public member owning `tool-1..3`. Branches
 * `feature-a..c` (pushed by gadmin) become PRs #1–#3 opened by bob; bob comments `!testme` on #1.
 * No webhook yet: the exchanges' own comments must not send deliveries.
 */
export async function setupB(ctx: Ctx): Promise<void> {
  await ctx.admin.call("DELETE", `/repos/${REPO}`);
  await newUser(ctx, "ci-bot");
  await newUser(ctx, "dave");
  for (const r of ["demo", "loop", "extra"]) await ctx.admin.createRepo(ORG, r);
  await ctx.admin.addTeam(ORG, "devs", ["bob", "dave"]);
  await as(ctx, "dave").call("PUT", `/orgs/${ORG}/public_members/dave`);
  await ctx.admin.addCollaborator(REPO, "ci-bot", "write");
  for (const r of ["tool-1", "tool-2", "tool-3"]) await as(ctx, "dave").post("/user/repos", { name: r, auto_init: true, default_branch: "main", readme: "Default" });

  const botToken = await createToken(ctx, as(ctx, "ci-bot"), "record-gitea");
  const bobToken = await createToken(ctx, as(ctx, "bob"), "record-gitea");
  const badToken = randomBytes(20).toString("hex");
  ctx.redact.add(badToken);
  ctx.auth = {
    "bot token": bearer(botToken),
    "org member token": bearer(bobToken),
    "admin basic": basic(ctx.admin.as.user, ctx.admin.as.password),
    "bad token": bearer(badToken),
    none: null,
  };

  ctx.clone = await ctx.git.clone(`${ctx.url}/${REPO}.git`, "demo-b");
  const c = cloneOf(ctx);
  for (const x of ["a", "b", "c"]) {
    await c.branchFrom(`feature-${x}`);
    ctx.state.set(`${x}.head`, await c.commit(`feat: add ${x}.txt`, { [`${x}.txt`]: `${x}\n` }));
    await c.git("push", "--quiet", "origin", `HEAD:refs/heads/feature-${x}`);
  }
  for (const x of ["a", "b", "c"]) {
    const pr = await as(ctx, "bob").post<{ number: number }>(`/repos/${REPO}/pulls`, { head: `feature-${x}`, base: "main", title: `Add ${x}.txt`, body: `Adds ${x}.txt.` });
    ctx.state.set(`${x}.pr`, pr.number);
  }
  const comment = await as(ctx, "bob").comment(REPO, Number(ctx.state.get("a.pr")), "!testme");
  ctx.state.set("b.comment", comment.id);
  ctx.log(`phase B: new ${REPO}, loop, extra; users ci-bot, dave; team devs (bob, dave); dave/tool-1..3; PRs #${["a", "b", "c"].map((x) => ctx.state.get(`${x}.pr`)).join(", #")} by bob`);
}
