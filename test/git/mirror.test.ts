import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LoopRepo } from "../../src/demo/loop-repo.ts";
import { Mirror } from "../../src/git/mirror.ts";
import { tempDir } from "../support/temp.ts";

describe("loop repo mirror with a token (the default: no cloneUrl, the token sent by git)", () => {
  it("fetches and reads the range, the changed files and a file at a commit", async () => {
    const dir = tempDir();
    const repo = new LoopRepo(join(dir, "origin"));
    const base = repo.head();
    repo.commit({ subject: "claim(g1): first", files: { "a.md": "a\n" } }, { subject: "review(g1): PASS", files: { "machine-docs/BUILDER-INBOX.md": "hi\n" } });
    repo.push();
    const mirror = new Mirror({ dir: join(dir, "mirror.git"), url: repo.bare, branch: "main", token: "s3cret-token" });

    const head = await mirror.fetchHead();
    expect(head).toBe(repo.head());
    // simple-git 4 refused every local command while the token's GIT_CONFIG_* sat in its environment.
    const commits = await mirror.commits(head, [base]);
    expect(commits.map((c) => c.subject)).toEqual(["claim(g1): first", "review(g1): PASS"]);
    expect(commits[1]?.touched).toEqual(["machine-docs/BUILDER-INBOX.md"]);
    expect(await mirror.show(head, "a.md")).toBe("a\n");
    expect(await mirror.isAncestor(base, head)).toBe(true);
  });

  it("sends the token to the forge as an Authorization header on the fetch", async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ops/loop.git`;
      const mirror = new Mirror({ dir: join(tempDir(), "mirror.git"), url, branch: "main", token: "s3cret-token" });
      await expect(mirror.fetch()).rejects.toThrow(/git fetch of main failed/);
      expect(seen[0]).toBe("token s3cret-token");
    } finally {
      server.close();
    }
  });
});
