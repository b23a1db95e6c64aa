import { runJob } from "./job.ts";
import type { CommandDef } from "./types.ts";

export const recipeUpgradeCommand: CommandDef = {
  name: "recipe-upgrade",
  usage: "/recipe-upgrade [--with-tests]",
  description: "runs the upgrade job for this recipe and posts its outcome and any PR it opened",
  tier: "operator",
  examples: ["/recipe-upgrade", "/recipe-upgrade --with-tests"],
  run: (ctx) => runJob(ctx, "recipe-upgrade", ["--with-tests"]),
};
