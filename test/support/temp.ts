import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const created: string[] = [];

/** A fresh directory, removed after the test file (test/support/cleanup.ts). */
export function tempDir(prefix = "ccci-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/**
 * Removes a directory a test made. A run outlives the bot that started it (by design), so its
 * wrapper may still write into its run dir while the dir is removed (ENOTEMPTY): try again; the
 * wrapper and the runner end once their dir is gone.
 */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) removeDir(dir);
}
