import { afterEach, describe, expect, it } from "vitest";
import { idle, opencodeWorld, startBoth, useOpencodeServer, type OpencodeWorld } from "../support/opencode-world.ts";
import { waitFor } from "../support/wait.ts";

// The opencode-server backend: a real `opencode serve` (offline, fake model) behind a gate. The
// server stops answering; a ping's attempt hangs, a second ping queues behind it, the server
// comes back (the hung attempt fails: retry later). The second ping used to be tried at once
// and reach the agent first; it must wait for the first one.

const opencode = useOpencodeServer();
let w: OpencodeWorld | undefined;
afterEach(async () => {
  await w?.dispose();
  w = undefined;
});

describe("pings to one session arrive in the order queued (opencode-server backend)", () => {
  it("two pings queued while the server is down reach the agent oldest first", async () => {
    w = await opencodeWorld(opencode.server(), opencode.model());
    await startBoth(w);
    const first = "[cc-ci-bot] cc-ci: 1111111 claim(gate-1): first";
    const second = "[cc-ci-bot] cc-ci: 2222222 claim(gate-2): second";
    const send = (text: string) => w!.bot.pings.send({ loop: "cc-ci", role: "adversary", session: w!.adversary, text });

    w.gate.hang();
    await send(first);
    await waitFor(() => w!.gate.held > 0, "the first ping's attempt to hang on the server");
    await send(second);
    await w.gate.restore();
    await waitFor(async () => (await w!.bot.store.pings.holding())[0]?.text === first, "the first ping to wait for its retry");
    // The operator sees which ping holds the adversary's queue.
    const { sessions } = (await (await fetch(`${w.bot.url}/api/sessions`)).json()) as { sessions: Array<{ name: string; holding: { text: string; lastError: string } | null }> };
    expect(sessions.find((s) => s.name === w!.adversary)?.holding).toMatchObject({ text: first, lastError: expect.stringMatching(/does not answer|fetch failed|closed|ECONN|socket/i) });

    w.clock.advance(2000);
    w.bot.messenger.wake();
    const asked = () => w!.since().map((r) => r.prompt).filter((p) => p === first || p === second);
    await waitFor(() => asked().length === 2, "both pings to reach the model", 30_000);
    expect(asked()).toEqual([first, second]);
    await idle(w, w.adversary);
    expect(asked()).toEqual([first, second]);
  }, 120_000);
});
