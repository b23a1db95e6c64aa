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
 * wrapper and runner may still write into its run dir while the dir is removed (ENOTEMPTY):
 * start over after a moment; they end once their dir is gone (the runner looks every 200 ms).
 * (rmSync's own maxRetries only retries the last rmdir, never a file written meanwhile.)
 */
export function removeDir(dir: string): void {
  for (let attempt = 1; ; attempt++) {
    try {
      rmSync(dir, { recursive: true, force: true });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOTEMPTY" || attempt === 100) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
}

export function removeTempDirs(): void {
  for (const dir of created.splice(0)) removeDir(dir);
}
