import { describe, expect, it } from "vitest";
import { jobDataSchema } from "../../src/worker/run-job.ts";

const ok = { runId: 7, pool: "default", env: { CCCI_RUN_ID: "7", CCCI_REPO: "recipes/x" }, timeoutMs: 60_000, graceMs: 1000 };

// A worker runs its own command with a job's parameters only: whatever else a job holds is refused.
describe("job data a worker accepts", () => {
  it("takes a run's CCCI_* values and bounded numbers", () => {
    expect(jobDataSchema.safeParse(ok).success).toBe(true);
  });

  it.each([
    ["a variable that is not CCCI_*", { env: { ...ok.env, LD_PRELOAD: "/tmp/evil.so" } }],
    ["PATH", { env: { PATH: "/tmp/evil" } }],
    ["its own CCCI_RUN_DIR", { env: { CCCI_RUN_DIR: "/etc" } }],
    ["a command", { argv: ["/bin/sh", "-c", "id"] }],
    ["an unbounded value", { env: { CCCI_REPO: "x".repeat(5000) } }],
    ["a negative timeout", { timeoutMs: -1 }],
  ])("refuses %s", (_name, change) => {
    const parsed = jobDataSchema.safeParse({ ...ok, ...change });
    expect(parsed.success).toBe(false);
  });
});
