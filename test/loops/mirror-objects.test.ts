import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LoopRepo } from "../../src/demo/loop-repo.ts";
import { Mirror } from "../../src/git/mirror.ts";
import { tempDir } from "../support/temp.ts";

// The mirror reads files and checks commits through one long-running `git cat-file --batch`
// (real bare repo, clone and mirror): answers must come back to the right caller, in order,
// including files fetched after the reader started and names that do not exist.

describe("mirror object reads through one git cat-file --batch", () => {
  const dir = tempDir();
  const repo = new LoopRepo(join(dir, "origin"));
  const mirror = new Mirror({ dir: join(dir, "mirror.git"), url: repo.bare, branch: "main" });
  afterAll(() => mirror.close());

  it("reads files at commits, many at once and each to its caller; a missing file or commit is null or an error", async () => {
    const [first] = repo.commit({ subject: "status", files: { "machine-docs/STATUS-1.md": "# 1\n## DONE\n", "big.txt": "x\n".repeat(100_000), "empty.md": "" } });
    repo.push();
    const head = await mirror.fetchHead();
    const reads = await Promise.all([
      mirror.show(head, "machine-docs/STATUS-1.md"),
      mirror.show(head, "big.txt"),
      mirror.show(head, "nope.md"),
      mirror.show(head, "empty.md"),
      mirror.show(head, "machine-docs/STATUS-1.md\nbig.txt"),
    ]);
    expect(reads).toEqual(["# 1\n## DONE\n", "x\n".repeat(100_000), null, "", null]);
    await mirror.mustHave(first!.sha);
    await expect(mirror.mustHave("f".repeat(40))).rejects.toThrow(/has no commit f{40} after fetching/);
  });

  it("finds what a later fetch brought, with the reader already running", async () => {
    repo.commit({ subject: "next", files: { "machine-docs/STATUS-2.md": "# 2\n" } });
    repo.push();
    const head = await mirror.fetchHead();
    await mirror.mustHave(head);
    expect(await mirror.show(head, "machine-docs/STATUS-2.md")).toBe("# 2\n");
  });
});
