import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { BotLogin } from "../../src/gitea/bot-login.ts";
import { GiteaClient } from "../../src/gitea/client.ts";
import { captureLog } from "../support/log-capture.ts";
import { recording, type RecordedExchange } from "../support/recordings.ts";
import { waitFor } from "../support/wait.ts";

// The bot's Gitea client against what a real Gitea 1.15.11 answered (test/fixtures/forges),
// served at the HTTP boundary as recorded: status, the headers that matter, the body.
const URL_ = "http://gitea.test";
const rec = recording("gitea-1.15.11");
const exchange = (name: string): RecordedExchange => rec.exchanges.find((x) => x.name.endsWith(name))!;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** The recorded answer, with its body replaced when given. */
function answer(x: RecordedExchange, body: unknown = x.response.body, headers: Record<string, string> = {}) {
  return typeof body === "string" ? new HttpResponse(body, { status: x.response.status, headers: { ...x.response.headers, ...headers } }) : HttpResponse.json(body as object, { status: x.response.status, headers: { ...x.response.headers, ...headers } });
}

/** `n` comments shaped as the recorded ones, ids 1..n. */
function comments(n: number): unknown[] {
  const model = (exchange("comments-list").response.body as Array<Record<string, unknown>>)[0]!;
  return Array.from({ length: n }, (_, i) => ({ ...model, id: i + 1, body: `comment ${i + 1}` }));
}

describe("GiteaClient on Gitea 1.15.11's recorded answers", () => {
  it("reads a PR with more comments than a page once, each comment once (1.15 ignores page and limit)", async () => {
    const all = comments(60);
    const asked: string[] = [];
    server.use(
      http.get(`${URL_}/api/v1/repos/e2e-org/demo/issues/1/comments`, ({ request }) => {
        asked.push(new URL(request.url).search);
        return answer(exchange("comments-list-limit2"), all);
      }),
    );
    const got = await new GiteaClient({ url: URL_, token: "t" }).comments("e2e-org", "demo", 1);
    expect(asked).toHaveLength(1);
    expect(got.map((c) => c.id)).toEqual(all.map((_, i) => i + 1));
  });

  it("pages through the comments where the server says how many there are (X-Total-Count)", async () => {
    const all = comments(60);
    server.use(
      http.get(`${URL_}/api/v1/repos/e2e-org/demo/issues/1/comments`, ({ request }) => {
        const q = new URL(request.url).searchParams;
        const [page, limit] = [Number(q.get("page")), Number(q.get("limit"))];
        return answer(exchange("comments-list"), all.slice((page - 1) * limit, page * limit), { "x-total-count": String(all.length) });
      }),
    );
    const got = await new GiteaClient({ url: URL_, token: "t" }).comments("e2e-org", "demo", 1);
    expect(got.map((c) => c.id)).toEqual(all.map((_, i) => i + 1));
  });

  it("finds a bad token at start, though 1.15 answers public reads with it as if anonymous", async () => {
    server.use(
      http.get(`${URL_}/api/v1/user`, () => answer(exchange("user-bad-token-401"))),
      http.get(`${URL_}/api/v1/repos/e2e-org/demo/pulls/1`, () => answer(exchange("pull-get-bad-token"))),
    );
    const client = new GiteaClient({ url: URL_, token: "0".repeat(40) });
    // A read goes through: nothing but the start-up check would tell.
    expect((await client.pullRequest("e2e-org", "demo", 1)).number).toBe(1);
    const { log, lines } = captureLog();
    const login = new BotLogin({ configured: "ci-bot", gitea: client, log, onResolved: () => {} });
    login.start();
    const line = await waitFor(() => lines.find((l) => l.includes("Gitea refuses the token")), "the refused token reported");
    expect(JSON.parse(line)).toMatchObject({ level: 50 });
    login.stop();
  });
});
