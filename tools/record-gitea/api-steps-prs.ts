import { type ApiStep, field, get, nextServerSecond, send } from "./api-step.ts";
import { as, need, REPO } from "./context.ts";

const R = `/repos/${REPO}`;
const BOT = "bot token";
const RUN = { target_url: "http://127.0.0.1:8080/runs/1", context: "cc-ci/testme" };

/** api/01–26: who am I, PRs and their paging, comments, reactions, commit statuses. */
export const API_PRS: ApiStep[] = [
  { name: "01-version", req: () => get("none", "/version") },
  { name: "02-user", req: () => get(BOT, "/user") },
  { name: "03-user-admin-basic", req: () => get("admin basic", "/user") },
  { name: "04-settings-api", req: () => get(BOT, "/settings/api") },
  { name: "05-pull-get", req: (c) => get(BOT, `${R}/pulls/${need(c, "a.pr")}`) },
  { name: "06-pulls-open-page1-limit2", req: () => get(BOT, `${R}/pulls`, { state: "open", page: "1", limit: "2" }) },
  { name: "07-pulls-open-page2-limit2", req: () => get(BOT, `${R}/pulls`, { state: "open", page: "2", limit: "2" }) },
  { name: "08-pulls-open-page1-limit50", req: () => get(BOT, `${R}/pulls`, { state: "open", page: "1", limit: "50" }) },
  {
    name: "09-comment-create",
    req: (c) => send("POST", BOT, `${R}/issues/${need(c, "a.pr")}/comments`, { body: "Test run queued." }),
    after: (ex, c) => c.state.set("bot.comment", field(ex, "id")),
  },
  { name: "10-comment-edit", req: (c) => send("PATCH", BOT, `${R}/issues/comments/${need(c, "bot.comment")}`, { body: "Test run started." }) },
  { name: "11-comment-edit-others-403", req: (c) => send("PATCH", BOT, `${R}/issues/comments/${need(c, "b.comment")}`, { body: "edited by the bot" }) },
  { name: "12-reaction-add-eyes", req: (c) => send("POST", BOT, `${R}/issues/comments/${need(c, "b.comment")}/reactions`, { content: "eyes" }) },
  { name: "13-reaction-add-eyes-again", req: (c) => send("POST", BOT, `${R}/issues/comments/${need(c, "b.comment")}/reactions`, { content: "eyes" }) },
  { name: "14-reactions-list", req: (c) => get(BOT, `${R}/issues/comments/${need(c, "b.comment")}/reactions`) },
  {
    name: "15-comments-list",
    // Not recorded: the bot's comment that 17 deletes (the 1.15.11 list shows it as the third).
    before: async (c) => {
      const made = await as(c, "ci-bot").comment(REPO, Number(need(c, "a.pr")), "to be deleted");
      c.state.set("delete.comment", made.id);
    },
    req: (c) => get(BOT, `${R}/issues/${need(c, "a.pr")}/comments`, { page: "1", limit: "50" }),
  },
  { name: "16-comments-list-limit2", req: (c) => get(BOT, `${R}/issues/${need(c, "a.pr")}/comments`, { page: "1", limit: "2" }) },
  { name: "17-comment-delete", req: (c) => ({ method: "DELETE", path: `${R}/issues/comments/${need(c, "delete.comment")}`, as: BOT }) },
  {
    name: "18-status-create-pending",
    req: (c) => send("POST", BOT, `${R}/statuses/${need(c, "a.head")}`, { state: "pending", target_url: RUN.target_url, description: "queued", context: RUN.context }),
    after: (ex, c) => c.state.set("pending.at", field(ex, "created_at")),
  },
  {
    name: "19-status-create-success",
    before: (c) => nextServerSecond(c, need(c, "pending.at")),
    req: (c) => send("POST", BOT, `${R}/statuses/${need(c, "a.head")}`, { state: "success", target_url: RUN.target_url, description: "GREEN", context: RUN.context }),
  },
  { name: "20-statuses-list", req: (c) => get(BOT, `${R}/statuses/${need(c, "a.head")}`) },
  { name: "21-status-combined", req: (c) => get(BOT, `${R}/commits/${need(c, "a.head")}/status`) },
  { name: "22-status-combined-by-branch", req: () => get(BOT, `${R}/commits/feature-a/status`) },
  { name: "23-status-combined-none", req: (c) => get(BOT, `${R}/commits/${need(c, "b.head")}/status`) },
  { name: "24-status-create-state-not-a-string-422", req: (c) => send("POST", BOT, `${R}/statuses/${need(c, "c.head")}`, { state: 1, context: RUN.context, description: "x" }) },
  { name: "25-status-create-unknown-state", req: (c) => send("POST", BOT, `${R}/statuses/${need(c, "c.head")}`, { state: "bogus", context: RUN.context, description: "x" }) },
  { name: "26-status-combined-unknown-state", req: (c) => get(BOT, `${R}/commits/${need(c, "c.head")}/status`) },
];
