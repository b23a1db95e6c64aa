import { afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { openStore } from "../../src/store/index.ts";
import { FIXTURE_SECRET, fixture, sendableHeaders } from "../support/fixtures.ts";
import { tempDir } from "../support/bot.ts";
import { BIN, cleanEnv, spawnBot, writeConfig, type ChildBot } from "../support/child-bot.ts";
import { postRaw } from "../support/post.ts";
import { waitFor } from "../support/wait.ts";

const run = promisify(execFile);

function config(dataDir: string): string {
  return writeConfig(
    dataDir,
    `gitea: { url: "http://127.0.0.1:9", token: t0ken-for-tests, botUser: gadmin }
webhook: { secrets: [${FIXTURE_SECRET}] }
server: { port: 0, host: 127.0.0.1 }
dataDir: ${JSON.stringify(dataDir)}
testme: { repos: ["e2e-org/*"] }
`,
  );
}

async function stateOf(dataDir: string, id: string): Promise<string | undefined> {
  const store = openStore(dataDir);
  try {
    return (await store.deliveries.get(id))?.state;
  } finally {
    await store.close();
  }
}

describe("a delivery that got its 2xx survives the process", () => {
  let bots: ChildBot[] = [];
  afterEach(() => {
    for (const b of bots) b.child.kill("SIGKILL");
    bots = [];
  });

  it("is stored before the ack, and processed after a SIGKILL and a restart", async () => {
    const dataDir = tempDir();
    const cfg = config(dataDir);
    const f = fixture("004-issue_comment-created");
    const id = f.headers["x-gitea-delivery"]!;

    // Intake only, so the delivery cannot have been processed before the kill.
    const first = await spawnBot(cfg, ["--no-dispatch"]);
    bots.push(first);
    const ack = await postRaw(first.url, sendableHeaders(f.headers), f.body);
    first.child.kill("SIGKILL");
    expect(ack.status).toBe(202);
    await first.exited;
    expect(await stateOf(dataDir, id)).toBe("pending");

    const second = await spawnBot(cfg);
    bots.push(second);
    await waitFor(async () => {
      const r = await fetch(`${second.url}/api/deliveries/${id}`);
      return ((await r.json()) as { delivery: { state: string } }).delivery.state === "done";
    }, "the stored delivery to be processed after the restart");
  });

  it("is processed once whatever moment the kill hits, and redelivery after the restart is a duplicate", async () => {
    const dataDir = tempDir();
    const cfg = config(dataDir);
    const f = fixture("003-push");
    const first = await spawnBot(cfg);
    bots.push(first);
    const ack = await postRaw(first.url, sendableHeaders(f.headers), f.body);
    first.child.kill("SIGKILL");
    expect(ack.status).toBe(202);
    await first.exited;

    const second = await spawnBot(cfg);
    bots.push(second);
    await waitFor(async () => (await stateOf(dataDir, f.headers["x-gitea-delivery"]!)) === "done", "the delivery to be processed");
    const again = await postRaw(second.url, { ...sendableHeaders(f.headers), "x-gitea-delivery": "redelivered-1" }, f.body);
    expect(again.status).toBe(200);
  });

  it("stops gracefully on SIGTERM with exit status 0", async () => {
    const dataDir = tempDir();
    const bot = await spawnBot(config(dataDir));
    bots.push(bot);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    expect(bot.logs.join("\n")).toContain('"msg":"cc-ci-bot stopped"');
  });
});

describe("starting without the required settings", () => {
  it("exits non-zero, naming what is missing and pointing at the demo", async () => {
    const cwd = tempDir();
    const err = await run(process.execPath, [BIN, "serve"], { cwd, env: cleanEnv() }).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    const { stderr } = err as { stderr: string };
    expect(stderr).toContain("gitea.url: is required (set gitea.url in the file or GITEA_URL in the environment)");
    expect(stderr).toContain("gitea.token: is required");
    expect(stderr).toContain("npm run demo");
  });
});
