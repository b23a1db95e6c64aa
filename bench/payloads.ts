import { createHash } from "node:crypto";

/**
 * Signed push deliveries of about 6 KB, each distinct (delivery id and commit id), produced
 * fast enough that the load generator is not the bottleneck: the body's fixed prefix is
 * hashed once into the HMAC inner state, and each request only hashes its short tail.
 */
export function deliveryFactory(secret: string, repo = "recipes/bench") {
  const filler = Array.from({ length: 5 }, (_, i) => ({
    id: "c".repeat(39) + i,
    message: `claim(gate-${i}): ${"x".repeat(600)}`,
    url: `https://git.example.org/${repo}/commit/${"c".repeat(39)}${i}`,
    author: { name: "Bench", email: "bench@example.org", username: "bench" },
    committer: { name: "Bench", email: "bench@example.org", username: "bench" },
    verification: null,
    timestamp: "2026-11-24T00:00:00Z",
    added: [],
    removed: [],
    modified: ["machine-docs/STATUS.md"],
  }));
  const fixed = {
    ref: "refs/heads/main",
    before: "b".repeat(40),
    compare_url: `https://git.example.org/${repo}/compare`,
    commits: filler,
    total_commits: 5,
    repository: { id: 1, name: repo.split("/")[1], full_name: repo, clone_url: `https://git.example.org/${repo}.git` },
    pusher: { id: 1, login: "bench" },
    sender: { id: 1, login: "bench" },
  };
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
