import type { Config } from "../config/schema.ts";
import type { RunService } from "../runs/service.ts";
import type { PullRequestEvent } from "../webhooks/events.ts";
import type { Handler } from "./handler.ts";

/** New commits on a PR: runs of the old head are superseded (docs/design.md#testme-runs, `testme.supersede`). */
export function createPrSyncHandler(d: { config: Pick<Config, "testme">; runs: Pick<RunService, "supersede">; isTestmeRepo: (repo: string) => boolean }): Handler {
  return {
    name: "pr-sync",
    kinds: ["pull_request"],
    async handle(event, ctx) {
      const e = event as PullRequestEvent;
      if (e.action !== "synchronized" || !d.isTestmeRepo(e.repo)) return;
      const n = await d.runs.supersede(e.repo, e.number, e.headSha, d.config.testme.supersede);
      if (n > 0) ctx.log.info({ pr: e.number, head: e.headSha, superseded: n }, "runs of the old head superseded");
    },
  };
}
