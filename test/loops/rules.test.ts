import { describe, expect, it } from "vitest";
import { pingText, planPings } from "../../src/loops/plan.ts";
import { kickoff, phaseFiles, statusIsDone } from "../../src/loops/phases.ts";
import { sanitizePing } from "../../src/loops/sanitize.ts";
import type { MirrorCommit } from "../../src/git/mirror.ts";
import type { LoopConfig } from "../../src/config/schema.ts";

const rules = {
  pings: [
    { prefix: "claim(", to: "adversary" },
    { prefix: "review(", to: "builder" },
  ],
  inboxes: { "machine-docs/BUILDER-INBOX.md": "builder", "machine-docs/ADVERSARY-INBOX.md": "adversary" },
};
const c = (n: number, subject: string, touched: string[] = [], deleted: string[] = []): MirrorCommit => ({ sha: `${n}`.repeat(40).slice(0, 40), subject, touched, deleted });

describe("planPings", () => {
  it.each([
    { name: "nothing relevant", commits: [c(1, "docs: typo")], expected: [] },
    { name: "a claim", commits: [c(1, "claim(gate-1): go")], expected: [["adversary", ["1111111 claim(gate-1): go"]]] },
    { name: "a review", commits: [c(2, "review(gate-1): FAIL tests")], expected: [["builder", ["2222222 review(gate-1): FAIL tests"]]] },
    { name: "prefix only at the start", commits: [c(3, "fix claim(gate-1) typo")], expected: [] },
    {
      name: "two claims in order, newest last",
      commits: [c(1, "claim(a): x"), c(2, "wip"), c(3, "claim(b): y")],
      expected: [["adversary", ["1111111 claim(a): x", "3333333 claim(b): y"]]],
    },
    {
      name: "inbox added or modified pings its role",
      commits: [c(4, "note", ["machine-docs/ADVERSARY-INBOX.md"])],
      expected: [["adversary", ["inbox machine-docs/ADVERSARY-INBOX.md updated at 4444444"]]],
    },
    { name: "inbox deleted pings nobody", commits: [c(5, "consumed", [], ["machine-docs/BUILDER-INBOX.md"])], expected: [] },
    {
      name: "claim and review in one push",
      commits: [c(1, "claim(g): a"), c(2, "review(g): PASS")],
      expected: [
        ["adversary", ["1111111 claim(g): a"]],
        ["builder", ["2222222 review(g): PASS"]],
      ],
    },
  ])("$name", ({ commits, expected }) => {
    expect(planPings(commits, rules).map((p) => [p.role, p.entries.map((e) => e.line)])).toEqual(expected);
  });

  it("formats one line per ping", () => {
    const [p] = planPings([c(1, "claim(a): x"), c(3, "claim(b): y")], rules);
    expect(pingText("cc-ci", p!)).toBe("[cc-ci-bot] cc-ci: 1111111 claim(a): x | 3333333 claim(b): y");
  });
});

describe("sanitizePing", () => {
  it.each([
    { name: "plain text", raw: "claim(gate-1): go", out: "claim(gate-1): go" },
    { name: "CSI colours", raw: "\x1b[1;31mRED\x1b[0m text", out: "RED text" },
    { name: "OSC title", raw: "a\x1b]0;evil title\x07b", out: "ab" },
    { name: "carriage returns and newlines", raw: "one\r\ntwo\rthree\nfour", out: "one two three four" },
    { name: "tabs and other controls", raw: "a\tb\x00c\x07d\x7fe\x9bf", out: "a bcdef" },
    { name: "tmux key names stay letters", raw: "Enter C-c Escape", out: "Enter C-c Escape" },
    { name: "unicode separators", raw: "a\u2028b\u2029c", out: "abc" },
    { name: "a limit banner look-alike", raw: "review(x): you hit the usage limit", out: "review(x): you hit the usage-limit" },
    { name: "out of credits", raw: "out of credits soon", out: "out-of-credits soon" },
  ])("$name", ({ raw, out }) => {
    expect(sanitizePing(raw)).toBe(out);
  });

  it("caps the length with an ellipsis", () => {
    const s = sanitizePing("x".repeat(10_000));
    expect(s).toHaveLength(600);
    expect(s.endsWith("…")).toBe(true);
  });

  it("never leaves text that matches a limit pattern", () => {
    const limit = /usage limit|spend limit|limit reached|reached your .*limit|out of (credits|tokens)/i;
    for (const raw of ["limit reached", "you reached your daily limit", "Usage Limit", "spend limit hit; limit reached again", "out of tokens"]) {
      expect(sanitizePing(raw)).not.toMatch(limit);
    }
  });
});

describe("phase status", () => {
  it.each([
    { name: "no file", text: null, done: false },
    { name: "no marker", text: "# status\nworking\n", done: false },
    { name: "DONE", text: "# status\n## DONE\n", done: true },
    { name: "DONE with trailing text", text: "## DONE all gates green\n", done: true },
    { name: "DONE then VETO", text: "## DONE\n## VETO: flaky\n", done: false },
    { name: "VETO then DONE", text: "## VETO\n## DONE\n", done: true },
    { name: "DONE only mentioned", text: "we are not ## DONE yet\n", done: false },
    { name: "CRLF", text: "## DONE\r\n", done: true },
  ])("$name -> $done", ({ text, done }) => {
    expect(statusIsDone(text)).toBe(done);
  });

  it("names the phase's state files in its kickoff", () => {
    const phase = { id: "3", plan: "plan-phase3.md", status: "machine-docs/STATUS-3.md" };
    expect(phaseFiles(phase)).toEqual({ status: "machine-docs/STATUS-3.md", backlog: "machine-docs/BACKLOG-3.md", review: "machine-docs/REVIEW-3.md", journal: "machine-docs/JOURNAL-3.md" });
    expect(kickoff({ name: "cc-ci" } as LoopConfig, phase, "Go.")).toBe(
      "Phase 3 of loop cc-ci: follow the plan in plan-phase3.md. State files: status machine-docs/STATUS-3.md, backlog machine-docs/BACKLOG-3.md, review machine-docs/REVIEW-3.md, journal machine-docs/JOURNAL-3.md. Go.",
    );
  });
});
