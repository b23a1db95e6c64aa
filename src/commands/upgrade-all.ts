import { runJob } from "./job.ts";
import type { CommandDef } from "./types.ts";

export const upgradeAllCommand: CommandDef = {
  name: "upgrade-all",
  usage: "/upgrade-all [--dry-run]",
  description: "runs the upgrade-all job",
  tier: "operator",
  examples: ["/upgrade-all --dry-run"],
  run: (ctx) => runJob(ctx, "upgrade-all", ["--dry-run"]),
};
