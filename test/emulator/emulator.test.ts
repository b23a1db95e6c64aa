import { afterEach, describe, expect, it } from "vitest";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GiteaEmulator, type Flavour } from "../../src/emulator/index.ts";
import { GiteaClient } from "../../src/gitea/client.ts";
import { GiteaError } from "../../src/gitea/port.ts";
import { verifySignature } from "../../src/webhooks/signature.ts";
import { fixture } from "../support/fixtures.ts";
import { waitFor } from "../support/wait.ts";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A plain receiver, like the one the fixtures were captured with. */
async function receiver(answer: "ok" | "never" = "ok"): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      if (answer === "ok") res.writeHead(202).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    got,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** The shape of a JSON value: keys of objects (recursively), the first element of arrays. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]));
  }
  return v === null ? "null" : typeof v;
}

// Go's server keeps Host outside the header map, and Node's client adds Connection: neither is Gitea's choice.
const HOP_BY_HOP = new Set(["host", "connection"]);
const headerNames = (h: Record<string, unknown>) => Object.keys(h).filter((k) => !HOP_BY_HOP.has(k)).sort();

const SHA1 = "1".repeat(40);
const SHA2 = "2".repeat(40);

async function scenario(flavour: Flavour) {
  const emu = await new GiteaEmulator({ flavour }).start();
  const rx = await receiver();
  emu.state.addUser("gadmin", "admin-token");
  emu.state.addOrg("e2e-org", ["bob"]);
  emu.state.addRepo("e2e-org/demo", { bob: "write" });
  emu.addHook(rx.url, "e2e-webhook-secret-123");
  await emu.push("e2e-org/demo", {
    ref: "refs/heads/main",
    before: SHA1,
    after: SHA2,
    pusher: "gadmin",
    commits: [
      { sha: SHA1, message: "claim(gate-1): take it", added: ["gate-1.md"], removed: [], modified: [], timestamp: "2026-11-24T00:39:36Z" },
      { sha: SHA2, message: "review(gate-1): PASS", added: [], removed: [], modified: ["gate-1.md"], timestamp: "2026-11-24T00:39:36Z" },
    ],
  });
  const { pull } = await emu.openPull("e2e-org/demo", { author: "gadmin", headRef: "feature-1", headSha: SHA1 });
  const { comment } = await emu.comment("e2e-org/demo", pull.number, "bob", "!testme");
  await emu.editComment("e2e-org/demo", comment.id, "!testme --quick");
  await emu.pushToPull("e2e-org/demo", pull.number, SHA2);
  return { emu, rx };
}

describe("the emulator's deliveries match real Gitea 1.15.11 deliveries", () => {
  let cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup) await c();
    cleanup = [];
  });

  const pairs = [
    ["push", "003-push"],
    ["pull_request opened", "002-pull_request-opened"],
    ["issue_comment created", "004-issue_comment-created"],
    ["issue_comment edited", "005-issue_comment-edited"],
    ["pull_request synchronized", "007-pull_request-synchronized"],
  ] as const;

  it.each(pairs.map(([what, name], i) => ({ what, name, i })))("$what has the header names and body fields of $name", async ({ name, i }) => {
    const { emu, rx } = await scenario("gitea-1.15");
    cleanup.push(() => emu.close(), () => rx.close());
    const real = fixture(name);
    const sent = rx.got[i]!;
    expect(headerNames(sent.headers)).toEqual(headerNames(real.headers));
    expect(shape(JSON.parse(sent.body))).toEqual(shape(JSON.parse(real.body.toString("utf8"))));
  });

  it("signs, pretty-prints, and gives every delivery a new UUID", async () => {
    const { emu, rx } = await scenario("gitea-1.15");
    cleanup.push(() => emu.close(), () => rx.close());
    const ids = rx.got.map((g) => g.headers["x-gitea-delivery"]);
    expect(new Set(ids).size).toBe(rx.got.length);
    for (const g of rx.got) {
      expect(g.headers["x-gitea-delivery"]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(g.body).toMatch(/^\{\n {2}"/);
      expect(verifySignature(Buffer.from(g.body), g.headers, ["e2e-webhook-secret-123"])).toEqual({ ok: true });
      expect(g.headers["x-hub-signature"]).toMatch(/^sha1=[0-9a-f]{40}$/);
    }
  });

  it("sends the 1.16+ event types, total_commits and the comment's PR in the modern shape", async () => {
    const { emu, rx } = await scenario("gitea-modern");
    cleanup.push(() => emu.close(), () => rx.close());
    expect(rx.got.map((g) => g.headers["x-gitea-event-type"])).toEqual(["push", "pull_request", "pull_request_comment", "pull_request_comment", "pull_request_sync"]);
    expect(JSON.parse(rx.got[0]!.body)).toMatchObject({ total_commits: 2 });
    expect(JSON.parse(rx.got[2]!.body)).toMatchObject({ pull_request: { head: { sha: SHA1 } } });
    expect(rx.got[0]!.headers["x-forgejo-event"]).toBeUndefined();
  });

  it("adds Forgejo's own headers in the Forgejo flavour", async () => {
    const { emu, rx } = await scenario("forgejo");
    cleanup.push(() => emu.close(), () => rx.close());
    expect(rx.got[2]!.headers).toMatchObject({ "x-forgejo-event": "issue_comment", "x-forgejo-event-type": "pull_request_comment" });
    expect(rx.got[2]!.headers["x-forgejo-signature"]).toBe(rx.got[2]!.headers["x-gitea-signature"]);
  });

  it("gives up after the delivery timeout and never retries", async () => {
    const emu = await new GiteaEmulator({ flavour: "gitea-1.15", deliverTimeoutMs: 200 }).start();
    const rx = await receiver("never");
    cleanup.push(() => emu.close(), () => rx.close());
    emu.state.addUser("gadmin");
    emu.state.addRepo("e2e-org/demo");
    emu.addHook(rx.url, "s3cret-value");
    const [sent] = await emu.push("e2e-org/demo", { ref: "refs/heads/main", before: SHA1, after: SHA2, pusher: "gadmin", commits: [] });
    expect(sent).toMatchObject({ status: 0, error: "no answer within 200 ms" });
    expect(rx.got).toHaveLength(1);
  });
});

describe("GiteaClient against the emulator's API", () => {
  let emu: GiteaEmulator;
  afterEach(() => emu.close());

  async function setup(flavour: Flavour) {
    emu = await new GiteaEmulator({ flavour }).start();
    emu.state.addUser("ci-bot", "bot-token-123");
    emu.state.addOrg("recipes", ["alice", "ci-bot"]);
    emu.state.addUser("carol");
    const repo = emu.state.addRepo("recipes/nextcloud", { bob: "write", dave: "read" });
    repo.files.set("main:machine-docs/STATUS.md", "## DONE\n");
    const { pull } = await emu.openPull("recipes/nextcloud", { author: "alice", headRef: "fix", headSha: SHA1 });
    return { client: new GiteaClient({ url: emu.url, token: "bot-token-123" }), pull };
  }

  it("answers every read the bot makes", async () => {
    const { client, pull } = await setup("gitea-modern");
    expect(await client.currentUser()).toBe("ci-bot");
    expect(await client.isOrgMember("recipes", "alice")).toBe(true);
    expect(await client.isOrgMember("recipes", "carol")).toBe(false);
    expect(await client.isCollaborator("recipes", "nextcloud", "bob")).toBe(true);
    expect(await client.isCollaborator("recipes", "nextcloud", "carol")).toBe(false);
    expect(await client.permission("recipes", "nextcloud", "bob")).toBe("write");
    expect(await client.permission("recipes", "nextcloud", "carol")).toBe("none");
    expect(await client.pullRequest("recipes", "nextcloud", pull.number)).toMatchObject({ number: pull.number, state: "open", headSha: SHA1, headRef: "fix" });
    expect((await client.openPullRequests("recipes", "nextcloud")).map((p) => p.number)).toEqual([pull.number]);
    expect(await client.fileContents("recipes", "nextcloud", "machine-docs/STATUS.md", "main")).toBe("## DONE\n");
    expect(await client.fileContents("recipes", "nextcloud", "nope.md", "main")).toBeNull();
  });

  it("hides private org membership from a bot outside the org, as Gitea does (302 to public_members, then 404)", async () => {
    await setup("gitea-1.15");
    emu.state.addUser("outsider-bot", "outsider-token-123");
    const outsider = new GiteaClient({ url: emu.url, token: "outsider-token-123" });
    expect(await outsider.isOrgMember("recipes", "alice")).toBe(false);
    const res = await fetch(`${emu.url}/api/v1/orgs/recipes/members/alice`, { headers: { authorization: "token outsider-token-123" }, redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${emu.url}/api/v1/orgs/recipes/public_members/alice`);
  });

  it("has no permission endpoint in the 1.15 shape, which the client reports as null", async () => {
    const { client } = await setup("gitea-1.15");
    expect(await client.permission("recipes", "nextcloud", "bob")).toBeNull();
    expect(await client.isCollaborator("recipes", "nextcloud", "bob")).toBe(true);
  });

  it("writes comments, statuses and reactions, in the order they were made", async () => {
    const { client, pull } = await setup("gitea-modern");
    const { comment } = await emu.comment("recipes/nextcloud", pull.number, "alice", "!testme");
    await client.addReaction("recipes", "nextcloud", comment.id, "eyes");
    await client.setStatus("recipes", "nextcloud", SHA1, { state: "pending", context: "cc-ci/testme", description: "queued", targetUrl: "http://ci/runs/1" });
    const { id } = await client.createComment("recipes", "nextcloud", pull.number, "result: RED");
    await client.editComment("recipes", "nextcloud", id, "result: GREEN");
    await client.setStatus("recipes", "nextcloud", SHA1, { state: "success", context: "cc-ci/testme", description: "GREEN in 1m" });

    expect(emu.state.callLines((c) => c.method !== "GET")).toEqual([
      `POST /api/v1/repos/recipes/nextcloud/issues/comments/${comment.id}/reactions`,
      `POST /api/v1/repos/recipes/nextcloud/statuses/${SHA1}`,
      `POST /api/v1/repos/recipes/nextcloud/issues/${pull.number}/comments`,
      `PATCH /api/v1/repos/recipes/nextcloud/issues/comments/${id}`,
      `POST /api/v1/repos/recipes/nextcloud/statuses/${SHA1}`,
    ]);
    const combined = await client.combinedStatus("recipes", "nextcloud", SHA1);
    expect(combined.statuses).toEqual([{ context: "cc-ci/testme", state: "success", description: "GREEN in 1m", targetUrl: "" }]);
    expect((await client.comments("recipes", "nextcloud", pull.number)).map((c) => [c.author, c.body])).toEqual([
      ["alice", "!testme"],
      ["ci-bot", "result: GREEN"],
    ]);
    expect(emu.state.repo("recipes/nextcloud").reactions).toEqual([{ commentId: comment.id, user: "ci-bot", content: "eyes" }]);
  });

  it("sends a webhook for the bot's own comment too, as Gitea does", async () => {
    const { client, pull } = await setup("gitea-modern");
    const rx = await receiver();
    emu.addHook(rx.url, "s3cret-value", ["issue_comment"]);
    await client.createComment("recipes", "nextcloud", pull.number, "hello");
    await waitFor(() => rx.got.length === 1, "the webhook for the bot's comment");
    expect(JSON.parse(rx.got[0]!.body)).toMatchObject({ action: "created", comment: { body: "hello", user: { login: "ci-bot" } } });
    await rx.close();
  });

  it("turns injected faults and a bad token into GiteaErrors that say whether to retry", async () => {
    const { client } = await setup("gitea-modern");
    emu.state.faults.push({ path: /\/orgs\/recipes\/members\//, status: 500, times: 1 });
    const err = await client.isOrgMember("recipes", "alice").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GiteaError);
    expect(err).toMatchObject({ status: 500, retryable: true, op: "orgIsMember" });
    expect(await client.isOrgMember("recipes", "alice")).toBe(true);
    const anonymous = new GiteaClient({ url: emu.url, token: "wrong" });
    expect(await anonymous.currentUser().catch((e: GiteaError) => [e.status, e.retryable])).toEqual([401, false]);
    const unreachable = new GiteaClient({ url: "http://127.0.0.1:9", token: "x" });
    expect(await unreachable.currentUser().catch((e: GiteaError) => [e.status, e.retryable])).toEqual([0, true]);
  });
});
