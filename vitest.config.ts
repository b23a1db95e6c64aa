import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real child processes, tmux sessions and SQLite files: keep the 2-core machine from thrashing.
    maxWorkers: 2,
  },
});
