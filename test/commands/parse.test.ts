import { describe, expect, it } from "vitest";
import { parseCommands } from "../../src/commands/parse.ts";
import { COMMANDS } from "../../src/commands/registry.ts";

describe("slash-command parsing", () => {
  it.each([
    { name: "help", body: "/help", out: [["help", []]] },
    { name: "status", body: "/status", out: [["status", []]] },
    { name: "retest", body: "/retest", out: [["retest", []]] },
    { name: "cancel", body: "/cancel", out: [["cancel", []]] },
    { name: "recipe-upgrade with a flag", body: "/recipe-upgrade --with-tests", out: [["recipe-upgrade", ["--with-tests"]]] },
    { name: "upgrade-all dry run", body: "/upgrade-all --dry-run", out: [["upgrade-all", ["--dry-run"]]] },
    { name: "ping with text", body: "/ping builder please rebase now", out: [["ping", ["builder", "please", "rebase", "now"]]] },
    { name: "phase advance", body: "/phase advance", out: [["phase", ["advance"]]] },
    { name: "restart", body: "/restart cc-ci-builder", out: [["restart", ["cc-ci-builder"]]] },
    { name: "pause and resume", body: "/pause cc-ci-adv\n/resume cc-ci-adv", out: [["pause", ["cc-ci-adv"]], ["resume", ["cc-ci-adv"]]] },
    { name: "quoted", body: "> /retest", out: [] },
    { name: "in a code fence", body: "```\n/cancel\n```", out: [] },
    { name: "inline, not on its own line", body: "please /retest", out: [] },
    { name: "a path is not a command", body: "/etc/hosts", out: [] },
    { name: "two among prose", body: "ok\n/status\nand\n/help", out: [["status", []], ["help", []]] },
    { name: "unknown", body: "/frobnicate now", out: [["frobnicate", ["now"]]] },
    { name: "upper case name", body: "/HELP", out: [["help", []]] },
  ])("$name", ({ body, out }) => {
    expect(parseCommands(body).map((c) => [c.name, c.args])).toEqual(out);
  });

  it("keeps /ping's text as written", () => {
    expect(parseCommands("/ping builder  two  spaces")[0]!.rest).toBe("builder  two  spaces");
  });

  it("registers every operator command once, each with its help", () => {
    const names = COMMANDS.map((c) => c.name);
    expect(names.sort()).toEqual(["cancel", "help", "pause", "phase", "ping", "recipe-upgrade", "restart", "resume", "retest", "status", "testall", "upgrade-all"]);
    for (const c of COMMANDS) {
      expect(c.usage.startsWith(`/${c.name}`)).toBe(true);
      expect(c.description.length).toBeGreaterThan(5);
      expect(c.examples.length).toBeGreaterThan(0);
    }
  });
});
