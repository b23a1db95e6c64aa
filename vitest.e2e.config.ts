import { defineConfig } from "vitest/config";

// The end-to-end suite against a real Gitea (test/e2e/global-setup.ts finds or starts one).
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    setupFiles: ["test/support/cleanup.ts"],
    testTimeout: 90_000,
    hookTimeout: 90_000,
    // One Gitea, a bot per file and real tmux sessions: two files at a time on two cores.
    maxWorkers: 2,
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    ...(process.env.CI ? { outputFile: { json: ".ci/e2e-results.json" } } : {}),
  },
});
