import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/cleanup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Real child processes, tmux sessions and SQLite files: keep the 2-core machine from thrashing.
    maxWorkers: 2,
    // In CI also a JSON report, from which .ci/run prints the plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    ...(process.env.CI ? { outputFile: { json: ".ci/test-results.json" } } : {}),
  },
});
