import { type ApiStep, field, get, send } from "./api-step.ts";
import { need, ORG, REPO } from "./context.ts";

const R = `/repos/${REPO}`;
const BOT = "bot token";
const MEMBER = "org member token";

/** api/27–57: org membership as seen by a member, an outsider and nobody; collaborators; paging of repos; reads; bad tokens. */
export const API_ORGS: ApiStep[] = [
  { name: "27-org-member-as-member-private", req: () => get(MEMBER, `/orgs/${ORG}/members/bob`) },
  { name: "28-org-member-as-member-public", req: () => get(MEMBER, `/orgs/${ORG}/members/dave`) },
  { name: "29-org-member-as-member-nonmember", req: () => get(MEMBER, `/orgs/${ORG}/members/carol`) },
  { name: "30-org-member-as-nonmember-private", req: () => get(BOT, `/orgs/${ORG}/members/bob`) },
  { name: "31-org-member-as-nonmember-public", req: () => get(BOT, `/orgs/${ORG}/members/dave`) },
  { name: "32-org-member-as-nonmember-nonmember", req: () => get(BOT, `/orgs/${ORG}/members/carol`) },
  { name: "33-org-member-as-none", req: () => get("none", `/orgs/${ORG}/members/dave`) },
  { name: "34-org-public-member-private", req: () => get(BOT, `/orgs/${ORG}/public_members/bob`) },
  { name: "35-org-public-member-public", req: () => get(BOT, `/orgs/${ORG}/public_members/dave`) },
  { name: "36-org-public-member-nonmember", req: () => get(BOT, `/orgs/${ORG}/public_members/carol`) },
  { name: "37-collaborator-yes", req: () => get(BOT, `${R}/collaborators/ci-bot`) },
  { name: "38-collaborator-no", req: () => get(BOT, `${R}/collaborators/carol`) },
  { name: "39-collaborator-team-member", req: () => get(BOT, `${R}/collaborators/bob`) },
  { name: "40-collaborator-permission", req: () => get(BOT, `${R}/collaborators/ci-bot/permission`) },
  { name: "41-org-repos-page1-limit2", req: () => get(BOT, `/orgs/${ORG}/repos`, { page: "1", limit: "2" }) },
  { name: "42-org-repos-page2-limit2", req: () => get(BOT, `/orgs/${ORG}/repos`, { page: "2", limit: "2" }) },
  { name: "43-user-repos-page1-limit2", req: () => get(BOT, "/users/dave/repos", { page: "1", limit: "2" }) },
  { name: "44-user-repos-page2-limit2", req: () => get(BOT, "/users/dave/repos", { page: "2", limit: "2" }) },
  { name: "45-repo-get", req: () => get(BOT, R) },
  { name: "46-branch-get", req: () => get(BOT, `${R}/branches/main`) },
  { name: "47-contents-get", req: () => get(BOT, `${R}/contents/README.md`, { ref: "main" }) },
  { name: "48-contents-missing-404", req: () => get(BOT, `${R}/contents/missing.txt`, { ref: "main" }) },
  {
    name: "49-issue-create",
    req: () => send("POST", BOT, `${R}/issues`, { title: "Weekly sweep: 1 recipe red", body: "demo: RED" }),
    after: (ex, c) => c.state.set("issue", field(ex, "number")),
  },
  { name: "50-issue-get-issue", req: (c) => get(BOT, `${R}/issues/${need(c, "issue")}`) },
  { name: "51-issue-get-pull", req: (c) => get(BOT, `${R}/issues/${need(c, "a.pr")}`) },
  { name: "52-pull-get-issue-number", req: (c) => get(BOT, `${R}/pulls/${need(c, "issue")}`) },
  { name: "53-pull-missing-404", req: () => get(BOT, `${R}/pulls/999`) },
  { name: "54-repo-missing-404", req: () => get(BOT, `/repos/${ORG}/no-such-repo`) },
  { name: "55-user-bad-token-401", req: () => get("bad token", "/user") },
  { name: "56-pull-get-bad-token", req: (c) => get("bad token", `${R}/pulls/${need(c, "a.pr")}`) },
  { name: "57-comment-create-bad-token", req: (c) => send("POST", "bad token", `${R}/issues/${need(c, "a.pr")}/comments`, { body: "x" }) },
];
