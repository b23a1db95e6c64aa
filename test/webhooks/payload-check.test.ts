import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseEvent } from "../../src/webhooks/events.ts";
import type { EventKind } from "../../src/webhooks/identify.ts";
import { isWellFormed } from "../../src/webhooks/payload-check.ts";
import { issueCommentPayload, pullRequestPayload, pushPayload } from "../../src/webhooks/payloads.ts";

const FORGES = fileURLToPath(new URL("../fixtures/forges", import.meta.url));
const SCHEMAS = { push: pushPayload, pull_request: pullRequestPayload, issue_comment: issueCommentPayload };

/** Every recorded delivery of an event the bot handles, from every recorded forge. */
const recorded = readdirSync(FORGES).flatMap((forge) =>
  readdirSync(join(FORGES, forge))
    .filter((f) => f.endsWith(".headers.json"))
    .map((f) => {
      const headers = JSON.parse(readFileSync(join(FORGES, forge, f), "utf8")) as Record<string, string>;
      const event = headers["x-forgejo-event"] ?? headers["x-gitea-event"];
      const type = headers["x-forgejo-event-type"] ?? headers["x-gitea-event-type"] ?? null;
      const json = JSON.parse(readFileSync(join(FORGES, forge, f.replace(".headers.json", ".body.json")), "utf8")) as unknown;
      return { name: `${forge}/${f.replace(".headers.json", "")}`, kind: event as EventKind, type, json };
    })
    .filter((d) => d.kind in SCHEMAS),
);

type Path = Array<string | number>;
// The field names payloads.ts reads: a field of another name changes neither verdict.
const READ = new Set(
  "ref before after commits id message added removed modified total_commits repository full_name clone_url html_url sender pusher login action number pull_request state head base sha merged updated_at issue comment body user created_at is_pull".split(" "),
);
/**
 * Every path into a JSON value through fields the schema reads, a few levels deep (it reads
 * nothing deeper); of an array, its first two elements stand for the rest.
 */
function paths(v: unknown, at: Path = []): Path[] {
  if (at.length >= 4 || typeof v !== "object" || v === null) return [];
  const keys: Array<string | number> = Array.isArray(v) ? v.slice(0, 2).map((_, i) => i) : Object.keys(v).filter((k) => READ.has(k));
  return keys.flatMap((k) => [[...at, k], ...paths((v as Record<string | number, unknown>)[k], [...at, k])]);
}
const DELETE = Symbol("delete");
/** Runs `check` with the value at `path` of `json` replaced, or removed, then puts it back. */
function mutated(json: unknown, path: Path, value: unknown, check: () => void): void {
  let parent = json as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  const had = Object.prototype.hasOwnProperty.call(parent, last);
  const old = parent[last];
  if (value === DELETE) delete parent[last];
  else parent[last] = value;
  try {
    check();
  } finally {
    if (had) parent[last] = old;
    else delete parent[last];
  }
}
const REPLACEMENTS: unknown[] = [DELETE, null, 0, -1, 1.5, 2 ** 60, "", "x", "a/b", "a b/c", "0".repeat(40), "A".repeat(40), [], ["x"], [1], {}, true];

describe("the hand-written payload check", () => {
  it("passes every recorded delivery, to the same typed event as the schema's stripped copy", () => {
    expect(recorded.length).toBeGreaterThan(20);
    for (const d of recorded) {
      expect(isWellFormed(d.kind, d.json), d.name).toBe(true);
      const stripped = SCHEMAS[d.kind].parse(d.json);
      expect(parseEvent(d.kind, d.type, d.json), d.name).toEqual(parseEvent(d.kind, d.type, stripped));
    }
  });

  it("never passes a payload the schema refuses: every field of every recorded delivery replaced or removed", () => {
    let refused = 0;
    for (const d of recorded) {
      for (const path of paths(d.json)) {
        for (const value of REPLACEMENTS) {
          mutated(d.json, path, value, () => {
            const schema = SCHEMAS[d.kind].safeParse(d.json);
            if (!schema.success) refused++;
            if (isWellFormed(d.kind, d.json)) expect(schema.success, `${d.name} ${path.join(".")} = ${String(value)}`).toBe(true);
          });
        }
      }
    }
    // The replacements do hit the fields the schema reads.
    expect(refused).toBeGreaterThan(1000);
  });

  it("leaves the refusal and its message to the schema", () => {
    const d = recorded.find((r) => r.kind === "issue_comment")!;
    mutated(d.json, ["comment", "id"], "7", () => {
      expect(isWellFormed("issue_comment", d.json)).toBe(false);
      expect(parseEvent("issue_comment", null, d.json)).toEqual({ ok: false, error: expect.stringMatching(/^payload field comment\.id: /) });
    });
  });
});
