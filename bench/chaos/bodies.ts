// Signed hostile and normal bodies for the intake campaign (bench/chaos-intake.ts).
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";

const FIXTURE = new URL("../../test/fixtures/forges/gitea-1.15.11/003-push.body.json", import.meta.url);
const captured = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown> & { commits: Array<Record<string, unknown>>; repository: Record<string, unknown> };

export interface Delivery {
  event: string;
  id: string;
  body: Buffer;
  signature: string;
}

let n = 0;
const run = `${process.pid.toString(16)}${Date.now().toString(16)}`;
function nextSha(): string {
  n++;
  return (run + n.toString(16)).padStart(40, "0").slice(-40);
}

export function sign(secret: string, event: string, body: Buffer, id = `chaos-${run}-${++n}`): Delivery {
  return { event, id, body, signature: createHmac("sha256", secret).update(body).digest("hex") };
}

/** A real-shaped push (the captured 1.15.11 delivery) to `repo`, distinct each call; `edit` shapes it. */
export function push(repo: string, edit: (p: Record<string, unknown>) => void = () => {}): Buffer {
  const p: Record<string, unknown> = {
    ...structuredClone(captured),
    after: nextSha(),
    repository: { ...captured.repository, full_name: repo, name: repo.split("/")[1] },
  };
  edit(p);
  return Buffer.from(JSON.stringify(p, null, 2));
}

/** Hostile shapes of about `size` bytes, each still a push to an enrolled repo. */
export function hostile(repo: string, size: number): Record<string, () => Buffer> {
  const depth = Math.floor(size / 2);
  return {
    // A deep array in a field nobody reads: JSON.parse builds it all before the schema drops it.
    "deep arrays": () => spliceField(push(repo), "extra", "[".repeat(depth) + "]".repeat(depth)),
    "deep objects": () => spliceField(push(repo), "extra", '{"a":'.repeat(Math.floor(size / 6)) + "1" + "}".repeat(Math.floor(size / 6))),
    // A commit message as long as the body allows (a real field, absurdly large).
    "huge string": () => push(repo, (p) => ((p.commits as Array<Record<string, unknown>>)[0]!.message = "x".repeat(size))),
    // Many tiny values: the most work for JSON.parse per byte.
    "many values": () => spliceField(push(repo), "extra", "[" + Array(Math.floor(size / 4)).fill("[1]").join(",") + "]"),
  };
}

/** Inserts `"name": raw` as the first field of a JSON object body, without re-serialising `raw`. */
function spliceField(body: Buffer, name: string, raw: string): Buffer {
  return Buffer.concat([Buffer.from(`{"${name}": ${raw},`), body.subarray(1)]);
}

/**
 * The largest push Gitea sends with five commits that each touch `files` paths: its payload
 * lists each commit's message and added/removed/modified paths (never a diff) and repeats the
 * head commit (services/repository/push.go, modules/repository/commits.go ToAPIPayloadCommits).
 */
export function bigRealPush(repo: string, files: number, pathLength = 80): Buffer {
  return push(repo, (p) => {
    const commits = Array.from({ length: 5 }, (_, c) => ({
      ...captured.commits[0],
      id: nextSha(),
      message: `vendor: update dependencies (${c})\n\n${"Long commit message body line.\n".repeat(40)}`,
      added: Array.from({ length: files / 2 }, (_, i) => `vendor/${String(c)}/${String(i).padStart(6, "0")}/`.padEnd(pathLength, "x") + ".go"),
      removed: [],
      modified: Array.from({ length: files / 2 }, (_, i) => `src/${String(c)}/${String(i).padStart(6, "0")}/`.padEnd(pathLength, "y") + ".ts"),
    }));
    p.commits = commits;
    p.head_commit = commits[0];
    p.total_commits = 5;
  });
}
