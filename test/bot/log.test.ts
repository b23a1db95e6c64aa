import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createLogger, logStream, scrub } from "../../src/log.ts";
import { makeRedactor } from "../../src/redact.ts";
import { tempDir } from "../support/bot.ts";
import { waitFor } from "../support/wait.ts";
import { captureLog } from "../support/log-capture.ts";

const SECRET = "s3cret-token-value";
const redact = makeRedactor([SECRET]);

const capture = () => captureLog(redact);

describe("log redaction", () => {
  it.each([
    { name: "a credential-named field", fields: { token: "anything" } },
    { name: "a nested credential-named field", fields: { config: { gitea: { Token: "anything" } } } },
    { name: "an authorization header", fields: { headers: { Authorization: "Bearer anything" } } },
    { name: "a secret inside a string", fields: { url: `https://ci:${SECRET}@git.example/x.git` } },
    { name: "a secret in an array", fields: { argv: ["git", "clone", `https://ci:${SECRET}@git.example`] } },
  ])("censors $name", async ({ fields }) => {
    const { log, lines } = capture();
    log.info(fields, "line");
    await new Promise((r) => setImmediate(r));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("[redacted]");
    expect(lines[0]).not.toContain(SECRET);
    expect(lines[0]).not.toContain("anything");
  });

  it("censors the message and an error's message and stack", async () => {
    const { log, lines } = capture();
    log.error({ err: new Error(`clone of https://ci:${SECRET}@host failed`) }, `push with ${SECRET} refused`);
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).not.toContain(SECRET);
    const line = JSON.parse(lines[0]!) as { msg: string; err: { message: string; stack: string } };
    expect(line.msg).toBe("push with [redacted] refused");
    expect(line.err.message).toBe("clone of https://ci:[redacted]@host failed");
    expect(line.err.stack).toContain("[redacted]");
  });

  it("passes an object with nothing to hide through unchanged, and copies one that had something", () => {
    const clean = { delivery: "d-1", event: "push", nested: { repo: "o/r", list: ["a", "b"] } };
    expect(scrub(clean, redact, 0)).toBe(clean);
    const dirty = { delivery: "d-1", nested: { token: "x" } };
    const out = scrub(dirty, redact, 0) as typeof dirty;
    expect(out).not.toBe(dirty);
    expect(out.nested.token).toBe("[redacted]");
    expect(dirty.nested.token).toBe("x");
  });
});

describe("log stream", () => {
  it("writes a lone line within about a second, without waiting for the block to fill", async () => {
    const file = join(tempDir(), "bot.log");
    const log = createLogger("info", redact, logStream(file));
    log.info({ delivery: "d-1" }, "delivery accepted");
    const text = await waitFor(() => (existsSync(file) && readFileSync(file, "utf8").includes("d-1") ? readFileSync(file, "utf8") : null), "the line to reach the file");
    expect(JSON.parse(text.trim())).toMatchObject({ delivery: "d-1", msg: "delivery accepted" });
  });

  it("writes every buffered line when the process exits", async () => {
    const file = join(tempDir(), "bot.log");
    const script = `
      const { createLogger, logStream } = await import(${JSON.stringify(new URL("../../src/log.ts", import.meta.url).href)});
      const log = createLogger("info", (t) => t, logStream(${JSON.stringify(file)}));
      for (let i = 0; i < 3; i++) log.info({ n: i }, "line");
      process.exit(0);`;
    await promisify(execFile)(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script]);
    const lines = readFileSync(file, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { n: number }).n);
    expect(lines).toEqual([0, 1, 2]);
  });
});
