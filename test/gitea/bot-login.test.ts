import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BotLogin } from "../../src/gitea/bot-login.ts";
import { captureLog } from "../support/log-capture.ts";

const capture = () => captureLog();

/** A Gitea that fails the first `failures` currentUser calls, then answers "ci-bot". */
function gitea(failures: number) {
  const calls = { n: 0 };
  return {
    calls,
    currentUser: async () => {
      calls.n++;
      if (calls.n <= failures) throw new Error("connect ECONNREFUSED 127.0.0.1:3000");
      return "ci-bot";
    },
  };
}

describe("BotLogin", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("uses the configured login at once, and asks Gitea only to check the token", async () => {
    const g = gitea(0);
    const { log, lines } = capture();
    const resolved: string[] = [];
    const login = new BotLogin({ configured: "cc-bot", gitea: g, log, onResolved: (l) => resolved.push(l) });
    expect(login.get()).toBe("cc-bot");
    login.start();
    expect(resolved).toEqual(["cc-bot"]);
    await vi.advanceTimersByTimeAsync(0);
    expect(g.calls.n).toBe(1);
    expect(login.get()).toBe("cc-bot");
    expect(lines.at(-1)).toContain("the Gitea token belongs to ci-bot, not to the configured botUser cc-bot");
  });

  it("asks Gitea in the background, every 30 s until it answers, and tells once", async () => {
    const g = gitea(2);
    const { log, lines } = capture();
    const resolved: string[] = [];
    const login = new BotLogin({ configured: undefined, gitea: g, log, onResolved: (l) => resolved.push(l) });
    login.start();
    await vi.advanceTimersByTimeAsync(0);
    expect([login.get(), g.calls.n, resolved]).toEqual([null, 1, []]);
    expect(lines.at(-1)).toContain("will try again in 30 s");
    await vi.advanceTimersByTimeAsync(29_999);
    expect(g.calls.n).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(g.calls.n).toBe(2);
    await vi.advanceTimersByTimeAsync(30_000);
    expect([login.get(), g.calls.n, resolved]).toEqual(["ci-bot", 3, ["ci-bot"]]);
    expect(lines.at(-1)).toContain("bot account resolved from the token");
    await vi.advanceTimersByTimeAsync(120_000);
    expect(g.calls.n).toBe(3);
  });

  it("stops asking once stopped, also when stopped while Gitea is being asked", async () => {
    const pending = { reject: (_e: Error) => {} };
    const slow = { calls: 0, currentUser: () => ((slow.calls += 1), new Promise<string>((_r, reject) => (pending.reject = reject))) };
    const asking = new BotLogin({ configured: undefined, gitea: slow, log: capture().log, onResolved: () => undefined });
    asking.start();
    asking.stop();
    pending.reject(new Error("timeout"));
    await vi.advanceTimersByTimeAsync(300_000);
    expect(slow.calls).toBe(1);

    const g = gitea(100);
    const login = new BotLogin({ configured: undefined, gitea: g, log: capture().log, onResolved: () => undefined });
    login.start();
    await vi.advanceTimersByTimeAsync(0);
    login.stop();
    await vi.advanceTimersByTimeAsync(300_000);
    expect(g.calls.n).toBe(1);
  });
});
