/**
 * The lines of a comment that can carry a command: trimmed, outside fenced code blocks
 * (``` or ~~~) and not quoted (`>`). Quoting someone's `!testme` or showing it in a code
 * block must never trigger anything (as prow's hold plugin tests).
 */
export function commandLines(body: string): string[] {
  const out: string[] = [];
  let fence: string | null = null;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    const marker = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker) {
      if (fence === null) fence = marker[0]!.repeat(marker.length);
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      continue;
    }
    if (fence !== null || line.startsWith(">") || line === "") continue;
    out.push(line);
  }
  return out;
}

export type TestmeRequest = { kind: "run"; quick: boolean } | { kind: "usage"; line: string };

/**
 * `!testme` or `!testme --quick` alone on a line triggers a run; `!testme` followed by
 * anything else earns a one-line usage reply; `!testmexyz` is not ours (docs/design.md#testme-runs).
 */
export function parseTestme(body: string): TestmeRequest | null {
  let usage: TestmeRequest | null = null;
  for (const line of commandLines(body)) {
    if (line === "!testme") return { kind: "run", quick: false };
    if (line === "!testme --quick") return { kind: "run", quick: true };
    if (usage === null && /^!testme\s/.test(line)) usage = { kind: "usage", line };
  }
  return usage;
}

export const TESTME_USAGE = "usage: `!testme` on a line of its own runs the recipe's tests on this PR's head; `!testme --quick` runs the quick tier only";
