import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { OpencodeClient } from "../../../src/supervisor/opencode/client.ts";
import { OpencodeSessions } from "../../../src/supervisor/opencode/opencode-sessions.ts";
import { startFakeModel, type FakeModel } from "../../support/fake-model.ts";
import { startOpencodeServer, type OpencodeServer } from "../../support/opencode.ts";
import { tempDir } from "../../support/temp.ts";
import { waitFor } from "../../support/wait.ts";

// The opencode-server backend against a real `opencode serve` (opencode-ai 1.18.33, offline)
// and a fake model on loopback. One server for the whole file; each test uses its own titles.

const PASSWORD = "s3cret-test-password";
let model: FakeModel;
let server: OpencodeServer;
let backend: OpencodeSessions;
let project: string;
const log = pino({ level: "silent" });

beforeAll(async () => {
  model = await startFakeModel();
  server = await startOpencodeServer({ modelUrl: model.url, password: PASSWORD });
  project = join(tempDir("ccci-oc-project-"), "work");
  mkdirSync(project);
  backend = new OpencodeSessions({ client: new OpencodeClient({ url: server.url, password: PASSWORD, directory: project }), log });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await model?.stop();
  // Nothing may have tried to leave the machine.
  expect(server.proxy.targets).toEqual([]);
});

const idle = (name: string) => waitFor(async () => (await backend.state(name)).kind === "idle", `${name} idle`, 30_000);

describe("opencode-server backend", () => {
  it("a session that does not exist is absent; a fresh start creates it with the kickoff as its first prompt", async () => {
    expect((await backend.state("t1-builder")).kind).toBe("absent");
    model.set({ kind: "reply", text: "started" });
    await backend.startFresh("t1-builder", "kickoff: read plan-phase1.md");
    await idle("t1-builder");
    const st = await backend.state("t1-builder");
    expect(st.lastReply).toBe("started");
    expect(model.prompts().at(-1)).toBe("kickoff: read plan-phase1.md");
  }, 60_000);

  it("a prompt to a busy session is queued by the server and runs after the turn, once", async () => {
    await backend.startFresh("t2-adv", "first");
    await idle("t2-adv");
    const before = model.requests.length;
    model.once({ kind: "slow", text: "long turn done" });
    expect(await backend.submit("t2-adv", "long turn")).toMatchObject({ taken: true });
    await waitFor(() => model.holding === 1, "the slow turn to reach the model", 30_000);
    expect((await backend.state("t2-adv")).kind).toBe("busy");
    expect(await backend.submit("t2-adv", "claim(x): please review")).toMatchObject({ taken: true });
    model.release();
    await waitFor(() => model.requests.length >= before + 2 && model.holding === 0, "the queued prompt to run", 30_000);
    await idle("t2-adv");
    const after = model.requests.slice(before).map((r) => r.prompt);
    expect(after).toEqual(["long turn", "claim(x): please review"]);
  }, 90_000);

  it("the newest session with a title is the live one; a title that only contains it is another session", async () => {
    await backend.startFresh("t3", "one");
    await backend.startFresh("t3-other", "other");
    await backend.startFresh("t3", "two");
    await idle("t3");
    await idle("t3-other");
    const n = model.requests.length;
    await backend.submit("t3", "to the newest");
    await waitFor(() => model.requests.length > n, "the prompt to reach the model", 30_000);
    const req = model.requests.at(-1)!;
    expect(req.prompt).toBe("to the newest");
    // The conversation it continues is the second "t3" session's.
    expect(req.userMessages).toEqual(["two", "to the newest"]);
  }, 90_000);

  it("a 429 while the server retries is a limit until its next try; a non-retryable 400 on the last turn is fatal", async () => {
    await backend.startFresh("t4", "hello");
    await idle("t4");
    model.once({ kind: "limit", retryAfterSeconds: 5 });
    await backend.submit("t4", "go on");
    const limited = await waitFor(async () => {
      const st = await backend.state("t4");
      return st.kind === "limit" ? st : null;
    }, "the retry status", 30_000);
    expect(limited.limitResetAt).toBeGreaterThan(Date.now() - 10_000);
    await idle("t4");

    model.once({ kind: "error" });
    await backend.submit("t4", "this one fails");
    const fatal = await waitFor(async () => {
      const st = await backend.state("t4");
      return st.kind === "fatal" ? st : null;
    }, "the failed turn", 30_000);
    expect(fatal.fatalReason).toMatch(/APIError 400/);
    expect(fatal.alert).toBeUndefined();
  }, 90_000);

  it("WAITING-UNTIL ending the last reply is read as waiting", async () => {
    model.once({ kind: "waiting", until: "2026-11-24T12:30:00Z" });
    await backend.startFresh("t5", "wait for the run");
    const st = await waitFor(async () => {
      const s = await backend.state("t5");
      return s.kind === "waiting" ? s : null;
    }, "waiting", 30_000);
    expect(st.waitingUntil).toBe(Date.parse("2026-11-24T12:30:00Z"));
  }, 60_000);

  it("a wrong password and a server that is down are operator alerts, not absent sessions to restart", async () => {
    const wrong = new OpencodeSessions({ client: new OpencodeClient({ url: server.url, password: "nope", directory: project }), log });
    const a = await wrong.state("t1-builder");
    expect(a).toMatchObject({ kind: "absent", alert: { kind: "credentials" } });
    expect(a.alert!.message).not.toContain("nope");

    const down = new OpencodeSessions({ client: new OpencodeClient({ url: "http://127.0.0.1:9", timeoutMs: 2000 }), log });
    const d = await down.state("t1-builder");
    expect(d).toMatchObject({ kind: "absent", alert: { kind: "server-down" } });
    expect(d.alert!.message).toMatch(/does not answer/);
    expect(await down.submit("t1-builder", "hi")).toMatchObject({ taken: false, later: true });
  }, 30_000);
});
