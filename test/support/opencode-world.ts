import { afterAll, beforeAll } from "vitest";
import { ManualClock } from "../../src/clock.ts";
import { GiteaEmulator } from "../../src/emulator/index.ts";
import { LoopRepo } from "../../src/demo/loop-repo.ts";
import { startTestBot, tempDir, TEST_SECRET, type TestBot } from "./bot.ts";
import { startFakeModel, type FakeModel, type ModelRequest } from "./fake-model.ts";
import { startOpencodeServer, type OpencodeServer } from "./opencode.ts";
import { TcpGate } from "./tcp-gate.ts";
import { waitFor } from "./wait.ts";

export const OPENCODE_PASSWORD = "oc-test-password-1234";

/**
 * One real `opencode serve` (offline, on a fake model) for the test file that calls this at its
 * top level: started before its tests, stopped after them; its password in the environment
 * variable the worlds' configuration names.
 */
export function useOpencodeServer(): { model: () => FakeModel; server: () => OpencodeServer } {
  let model: FakeModel | undefined;
  let server: OpencodeServer | undefined;
  beforeAll(async () => {
    model = await startFakeModel();
    server = await startOpencodeServer({ modelUrl: model.url, password: OPENCODE_PASSWORD });
    process.env.CCCI_TEST_OPENCODE_PASSWORD = OPENCODE_PASSWORD;
  }, 60_000);
  afterAll(async () => {
    delete process.env.CCCI_TEST_OPENCODE_PASSWORD;
    await server?.stop();
    await model?.stop();
  });
  return { model: () => model!, server: () => server! };
}

/**
 * A bot whose builder and adversary run on a real `opencode serve` reached through a TcpGate
 * (so a test can take the server down and bring it back), on a ManualClock starting at the
 * real time, without a supervisor timer (the test ticks it). The opencode server's password is
 * read from CCCI_TEST_OPENCODE_PASSWORD (set it to OPENCODE_PASSWORD).
 */
export interface OpencodeWorld {
  bot: TestBot;
  emu: GiteaEmulator;
  gate: TcpGate;
  clock: ManualClock;
  builder: string;
  adversary: string;
  /** The model's requests since the world was made. */
  since: () => ModelRequest[];
  dispose: () => Promise<void>;
}

/** `timeoutSeconds`: how long the bot waits for an answer from the server (its default when omitted). */
export async function opencodeWorld(server: OpencodeServer, model: FakeModel, timeoutSeconds?: number): Promise<OpencodeWorld> {
  const dir = tempDir();
  const repo = new LoopRepo(dir);
  const tag = Math.random().toString(36).slice(2, 7);
  const builder = `cc-ci-builder-${tag}`;
  const adversary = `cc-ci-adv-${tag}`;
  const gate = await TcpGate.of(server.url).open();
  const emu = await new GiteaEmulator().start();
  emu.state.addUser("agent");
  emu.state.addRepo("ops/cc-ci");
  const clock = new ManualClock(Date.now());
  const session = (title: string) => ({ backend: "opencode-server", title, prompt: `You are ${title}.` });
  const bot = await startTestBot({
    dataDir: `${dir}/data`,
    clock,
    supervise: false,
    overrides: {
      gitea: { url: emu.url },
      opencode: { url: gate.url, ...(timeoutSeconds ? { timeoutSeconds } : {}), passwordEnv: "CCCI_TEST_OPENCODE_PASSWORD" },
      loops: [{ name: "cc-ci", repo: "ops/cc-ci", cloneUrl: repo.bare, sessions: { builder: session(builder), adversary: session(adversary) } }],
    },
  });
  emu.addHook(`${bot.url}/webhook`, TEST_SECRET);
  const mark = model.requests.length;
  return {
    bot,
    emu,
    gate,
    clock,
    builder,
    adversary,
    since: () => model.requests.slice(mark),
    dispose: async () => {
      await bot.dispose().catch(() => undefined);
      await emu.close();
      await gate.close();
    },
  };
}

/** The first tick finds no session with either title and starts both; waits until both are idle. */
export async function startBoth(w: OpencodeWorld): Promise<void> {
  await w.bot.supervisor.tick();
  for (const name of [w.builder, w.adversary]) {
    await waitFor(() => w.since().some((r) => r.userMessages.length === 1 && r.prompt.endsWith(`You are ${name}.`)), `${name}'s kickoff to reach the model`, 30_000).catch(async (err: Error) => {
      throw new Error(`${err.message}; model got ${JSON.stringify(w.since().map((r) => r.prompt))}; state ${JSON.stringify(await w.bot.agents.state(name))}; actions ${JSON.stringify(await w.bot.store.supervisor.actions(5, name))}; logs ${w.bot.logs.raw.slice(-15).join("\n")}`);
    });
    await idle(w, name);
  }
}

export const idle = (w: OpencodeWorld, name: string) => waitFor(async () => (await w.bot.agents.state(name)).kind === "idle", `${name} to be idle`, 30_000);
