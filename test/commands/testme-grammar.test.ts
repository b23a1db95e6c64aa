import { describe, expect, it } from "vitest";
import { commandLines, parseTestme } from "../../src/commands/comment-lines.ts";

describe("!testme grammar", () => {
  it.each([
    { name: "alone", body: "!testme", expected: { kind: "run", quick: false } },
    { name: "quick", body: "!testme --quick", expected: { kind: "run", quick: true } },
    { name: "with spaces around", body: "  !testme  ", expected: { kind: "run", quick: false } },
    { name: "among other lines", body: "looks good\n!testme\nthanks", expected: { kind: "run", quick: false } },
    { name: "CRLF", body: "hi\r\n!testme\r\n", expected: { kind: "run", quick: false } },
    { name: "quoted", body: "> !testme", expected: null },
    { name: "in a fence", body: "```\n!testme\n```", expected: null },
    { name: "in a tilde fence", body: "~~~sh\n!testme\n~~~", expected: null },
    { name: "after a fence closes", body: "```\ncode\n```\n!testme", expected: { kind: "run", quick: false } },
    { name: "glued suffix", body: "!testmexyz", expected: null },
    { name: "inline", body: "please !testme", expected: null },
    { name: "unknown flag", body: "!testme foo", expected: { kind: "usage", line: "!testme foo" } },
    { name: "usage then valid", body: "!testme foo\n!testme", expected: { kind: "run", quick: false } },
    { name: "empty", body: "", expected: null },
  ])("$name", ({ body, expected }) => {
    expect(parseTestme(body)).toEqual(expected);
  });

  it("keeps only the lines outside quotes and fences", () => {
    expect(commandLines("a\n> b\n```\nc\n````\nd\n```\ne")).toEqual(["a", "d"]);
  });
});
