import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const FIXTURE = new URL("../test/fixtures/forges/gitea-1.15.11/001-push.body.json", import.meta.url);

/**
 * Signed push deliveries of about 7 KB, each distinct (delivery id and head commit), shaped
 * like a real Gitea push: the captured 1.15.11 delivery (fixtures/001-push) with five commits
 * of a loop repo's kind (a subject and a short body each). They are produced fast enough that
 * the load generator is not the bottleneck: the body's fixed prefix is hashed once into the
 * HMAC inner state, and each request only hashes its short tail.
 */
export function deliveryFactory(secret: string, repo = "recipes/bench") {
  const captured = JSON.parse(readFileSync(FIXTURE, "utf8")) as Record<string, unknown> & { commits: Array<Record<string, unknown>>; repository: Record<string, unknown> };
  const commits = Array.from({ length: 5 }, (_, i) => ({
    ...captured.commits[0],
    id: `${"c".repeat(39)}${i}`,
    message: `claim(gate-${i}): take gate ${i} of the phase\n\nEvidence and the plan for this gate, as the builder writes it.\n`,
    url: `https://git.example.org/${repo}/commit/${"c".repeat(39)}${i}`,
    added: [],
    modified: ["machine-docs/STATUS.md", `gates/${i}.md`],
  }));
  const fixed: Record<string, unknown> = {
    ...captured,
    ref: "refs/heads/main",
    before: "b".repeat(40),
    compare_url: `https://git.example.org/${repo}/compare`,
    commits,
    head_commit: commits[0],
    total_commits: 5,
    repository: { ...captured.repository, name: repo.split("/")[1], full_name: repo, clone_url: `https://git.example.org/${repo}.git` },
  };
  delete fixed.after;
  // `after` (part of the dedupe key) goes last so that only the tail differs per delivery.
  const prefix = Buffer.from(JSON.stringify(fixed, null, 2).replace(/\n}$/, ',\n  "after": "'));
  const key = Buffer.alloc(64);
  Buffer.from(secret).copy(key);
  const ipad = Buffer.from(key.map((b) => b ^ 0x36));
  const opad = Buffer.from(key.map((b) => b ^ 0x5c));
  const inner = createHash("sha256").update(ipad).update(prefix);
  let n = 0;
  const run = `${process.pid.toString(16)}${Date.now().toString(16)}`;
  return function next(): { id: string; body: Buffer; signature: string } {
    n++;
    const after = (run + n.toString(16)).padStart(40, "0").slice(-40);
    const tail = Buffer.from(`${after}"\n}`);
    const innerDigest = inner.copy().update(tail).digest();
    const signature = createHash("sha256").update(opad).update(innerDigest).digest("hex");
    return { id: `bench-${run}-${n}`, body: Buffer.concat([prefix, tail]), signature };
  };
}
