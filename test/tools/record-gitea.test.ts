import { execFile } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { parseArgs, UsageError } from "../../tools/record-gitea/args.ts";
import { basic, bearer, exchange, exchangeText } from "../../tools/record-gitea/exchange.ts";
import { forgeInfo } from "../../tools/record-gitea/forge.ts";
import { assign } from "../../tools/record-gitea/match.ts";
import { Output } from "../../tools/record-gitea/output.ts";
import { Receiver, type Delivery } from "../../tools/record-gitea/receiver.ts";
import { Redactor } from "../../tools/record-gitea/redact.ts";
import { ALL_ACTIONS, ALL_API } from "../../tools/record-gitea/scenario.ts";
import { tempDir } from "../support/temp.ts";

const run = promisify(execFile);
const MAIN = new URL("../../tools/record-gitea/main.ts", import.meta.url).pathname;
const REAL = new URL("../fixtures/forges/gitea-1.15.11", import.meta.url).pathname;

let servers: Server[] = [];
let receivers: Receiver[] = [];
afterEach(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  for (const r of receivers) await r.close();
  servers = [];
  receivers = [];
});

/** A real loopback server answering with `handler`, and what it was sent. */
async function server(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void) {
  const got: Array<{ method: string; url: string; headers: IncomingMessage["headers"]; body: string }> = [];
  const s = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      got.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  servers.push(s);
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, got };
}

describe("record-gitea: the command line", () => {
  const ok = ["--url", "http://127.0.0.1:3000/", "--admin", "gadmin:pa:ss", "--out", "rec"];

  it("reads the options, a password with colons and the defaults", () => {
    expect(parseArgs(ok)).toMatchObject({ url: "http://127.0.0.1:3000", admin: { user: "gadmin", password: "pa:ss" }, deadlineMs: 60_000, settleMs: 1500 });
    expect(parseArgs(["--url=http://h:1/gitea", "--admin=a:b", "--out=x", "--deadline", "5", "--settle-ms", "10"])).toMatchObject({ url: "http://h:1/gitea", deadlineMs: 5000, settleMs: 10 });
    expect(parseArgs(["--out", "x", "--help"])).toBe("help");
  });

  it.each([
    [[], "--url is required"],
    [["--url", "http://h", "--admin", "a:b"], "--out is required"],
    [[...ok, "--bogus"], "unknown option --bogus"],
    [[...ok, "extra"], 'unexpected argument "extra"'],
    [["--url", "--admin", "a:b", "--out", "x"], "--url needs a value"],
    [["--url", "not a url", "--admin", "a:b", "--out", "x"], "--url is not a URL"],
    [["--url", "ftp://h", "--admin", "a:b", "--out", "x"], "--url must be http or https"],
    [["--url", "http://u:p@h", "--admin", "a:b", "--out", "x"], "--url must not carry credentials"],
    [["--url", "http://h", "--admin", "nopassword", "--out", "x"], "--admin must be USER:PASSWORD"],
    [[...ok, "--deadline", "0"], "--deadline must be a positive whole number"],
    [[...ok, "--out", "y"], "--out given twice"],
  ])("refuses %j in one line: %s", (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });

  it("prints one line and exits 2 for bad input, the usage for --help, one line when the server does not answer", { timeout: 60_000 }, async () => {
    const node = (args: string[]) => run(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: join(MAIN, "../../..") }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    const bad = await node(["--url", "http://127.0.0.1:1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("record-gitea: --admin is required (see --help)\n");
    const help = await node(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: npm run record:gitea -- --url URL --admin USER:PASSWORD --out DIR/);
    const closed = await node(["--url", "http://127.0.0.1:1", "--admin", "gadmin:secret-pw", "--out", tempDir()]);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toMatch(/^record-gitea: http:\/\/127\.0\.0\.1:1 does not answer \([^\n]*\)\n$/);
  });
});

describe("record-gitea: redaction", () => {
  it("hides passwords, tokens, their URL-encoded form and basic-auth values", () => {
    const r = new Redactor().addLogin("gadmin", "p@ss word").add("0123456789abcdef").add("");
    const b64 = Buffer.from("gadmin:p@ss word").toString("base64");
    expect(r.text(`pw=p@ss word url=p%40ss%20word tok=0123456789abcdef auth=Basic ${b64}`)).toBe("pw=<redacted> url=<redacted> tok=<redacted> auth=Basic <redacted>");
    const untouched = Buffer.from([0x7b, 0xff, 0x0a, 0x7d]);
    expect(r.bytes(untouched)).toBe(untouched);
  });
});

describe("record-gitea: one exchange", () => {
  it("records the request as sent and only the kept headers, with the JSON body parsed", async () => {
    const s = await server((_req, _body, res) => {
      res.writeHead(200, { "content-type": "application/json;charset=utf-8", link: '<x>; rel="next"', "x-total-count": "3", "x-other": "dropped" }).end('[{"id":1}]');
    });
    const ex = await exchange(`${s.url}/`, { method: "GET", path: "/repos/e2e-org/demo/pulls", query: { state: "open", page: "1", limit: "2" }, as: "bot token" }, bearer("tok"));
    expect(ex).toEqual({
      request: { method: "GET", path: "/api/v1/repos/e2e-org/demo/pulls", query: { state: "open", page: "1", limit: "2" }, as: "bot token", body: null },
      response: { status: 200, headers: { "content-type": "application/json;charset=utf-8", link: '<x>; rel="next"', "x-total-count": "3" }, body: [{ id: 1 }] },
    });
    expect(s.got[0]).toMatchObject({ method: "GET", url: "/api/v1/repos/e2e-org/demo/pulls?state=open&page=1&limit=2", headers: { authorization: "Bearer tok" } });
    const real = JSON.parse(readFileSync(join(REAL, "api/06-pulls-open-page1-limit2.json"), "utf8")) as typeof ex;
    expect(Object.keys(JSON.parse(exchangeText(ex)))).toEqual(Object.keys(real));
    expect(Object.keys(ex.request)).toEqual(Object.keys(real.request));
    expect(Object.keys(ex.response)).toEqual(Object.keys(real.response));
    expect(exchangeText(ex).endsWith("\n}\n")).toBe(true);
  });

  it("does not follow a redirect, keeps raw text, sends JSON bodies, and writes \"\" for an empty answer", async () => {
    const s = await server((req, _body, res) => {
      if (req.url?.includes("members")) res.writeHead(302, { location: "http://elsewhere/x", "content-type": "text/html; charset=utf-8" }).end('<a href="x">Found</a>.\n\n');
      else if (req.url?.endsWith("/permission")) res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("404 page not found\n");
      else res.writeHead(req.method === "PATCH" ? 403 : 204).end();
    });
    const redirect = await exchange(s.url, { method: "GET", path: "/orgs/o/members/bob", as: "none" }, null);
    expect(redirect.response).toEqual({ status: 302, headers: { "content-type": "text/html; charset=utf-8", location: "http://elsewhere/x" }, body: '<a href="x">Found</a>.\n\n' });
    expect(s.got).toHaveLength(1);
    expect(s.got[0]!.headers.authorization).toBeUndefined();
    const text = await exchange(s.url, { method: "GET", path: "/repos/o/r/collaborators/u/permission", as: "bot token" }, bearer("t"));
    expect(text.response.body).toBe("404 page not found\n");
    const patch = await exchange(s.url, { method: "PATCH", path: "/repos/o/r/issues/comments/4", as: "admin basic", body: { body: "x" } }, basic("gadmin", "pw"));
    expect(patch.request.body).toEqual({ body: "x" });
    expect(patch.response).toEqual({ status: 403, headers: {}, body: "" });
    expect(s.got.at(-1)).toMatchObject({ body: '{"body":"x"}', headers: { "content-type": "application/json", authorization: basic("gadmin", "pw") } });
  });
});

describe("record-gitea: the receiver", () => {
  it("answers 200 and keeps the exact body bytes and the headers as received, lower-cased, without host", async () => {
    const rx = await new Receiver().listen();
    receivers.push(rx);
    const body = Buffer.concat([Buffer.from('{\n  "a": "\u00e9 \\u00e9",\n  "b": [1,2]  \n}'), Buffer.from([0xff, 0xfe]), Buffer.from("\r\n")]);
    const url = new URL(rx.url());
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "User-Agent": "Go-http-client/1.1", "Content-Type": "application/json", "X-Gitea-Event": "push", "X-Hub-Signature-256": "sha256=ab", "Content-Length": String(body.length) } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.end(body);
    });
    expect(status).toBe(200);
    expect(rx.got).toHaveLength(1);
    const d = rx.got[0]!;
    expect(d.body.equals(body)).toBe(true);
    expect(Object.keys(d.headers)).toEqual(["user-agent", "content-type", "x-gitea-event", "x-hub-signature-256", "content-length", "connection"]);
    expect(d.headers["x-gitea-event"]).toBe("push");
    expect(d.headers.host).toBeUndefined();
  });
});

describe("record-gitea: files", () => {
  const delivery = (event: string, action?: string): Delivery => ({
    headers: { "x-gitea-event": event },
    body: Buffer.from(JSON.stringify(action ? { action } : { ref: "refs/heads/main" })),
    at: 0,
  });

  it("gives each expected delivery its 1.15.11 name and numbers the extras after the action's last file", () => {
    const got = [delivery("pull_request", "synchronized"), delivery("push"), delivery("issue_comment", "created"), delivery("push")];
    const a = assign([{ file: "018-push", event: "push" }, { file: "019-pull_request-synchronized", event: "pull_request", action: "synchronized" }], got);
    expect(a.files.map(([f, d]) => [f, got.indexOf(d)])).toEqual([["018-push", 1], ["019-pull_request-synchronized", 0], ["019-pull_request-synchronized.2", 2], ["019-pull_request-synchronized.3", 3]]);
    expect(a.missing).toEqual([]);
    expect(assign([{ file: "016-delete", event: "delete" }], [delivery("push")])).toMatchObject({ missing: [{ file: "016-delete" }], extras: 1 });
  });

  it("writes the 1.15.11 file names: 001-push … 020-push and api/01-version … api/57-comment-create-bad-token", () => {
    const real = readdirSync(REAL).filter((f) => f.endsWith(".body.json")).map((f) => f.replace(/\.body\.json$/, "")).sort();
    expect(ALL_ACTIONS.flatMap((a) => a.expects.map((e) => e.file))).toEqual(real);
    const api = readdirSync(join(REAL, "api")).map((f) => f.replace(/\.json$/, "")).sort();
    expect(ALL_API.map((s) => s.name)).toEqual(api);
  });

  it("writes delivery bytes untouched, headers as two-space JSON, redacts secrets, and refuses a folder that is not empty", () => {
    const dir = join(tempDir(), "rec");
    const out = new Output(dir, new Redactor().add("s3cret-token"));
    out.prepare();
    const body = Buffer.from('{\n  "ref": "x"\n}');
    out.delivery("001-push", { headers: { "x-gitea-event": "push" }, body, at: 0 });
    out.exchange("02-user", { request: { method: "GET", path: "/api/v1/user", query: {}, as: "bot token", body: null }, response: { status: 200, headers: {}, body: { note: "s3cret-token" } } });
    expect(readFileSync(join(dir, "001-push.body.json")).equals(body)).toBe(true);
    expect(readFileSync(join(dir, "001-push.headers.json"), "utf8")).toBe('{\n  "x-gitea-event": "push"\n}\n');
    expect(JSON.parse(readFileSync(join(dir, "api/02-user.json"), "utf8")).response.body).toEqual({ note: "<redacted>" });
    expect([out.deliveries, out.exchanges]).toEqual([1, 1]);
    const full = tempDir();
    writeFileSync(join(full, "x"), "");
    expect(() => new Output(full, new Redactor()).prepare()).toThrow(/is not empty/);
  });

  it("names the flavour from the version", () => {
    expect(forgeInfo("1.15.11")).toEqual({ forge: "gitea", version: "1.15.11", flavour: "gitea-1.15", source: "recorded", secret: "e2e-webhook-secret-123" });
    expect(forgeInfo("1.22.3").flavour).toBe("gitea-modern");
    expect(forgeInfo("7.0.4+gitea-1.21.11")).toMatchObject({ forge: "forgejo", flavour: "forgejo" });
    expect(forgeInfo("1.21.11-1", true)).toMatchObject({ forge: "forgejo", flavour: "forgejo" });
  });
});
