import { cancelCommand } from "./cancel.ts";
import { helpCommand } from "./help.ts";
import { pauseCommand, resumeCommand } from "./pause.ts";
import { phaseCommand } from "./phase.ts";
import { pingCommand } from "./ping.ts";
import { recipeUpgradeCommand } from "./recipe-upgrade.ts";
import { restartCommand } from "./restart.ts";
import { retestCommand } from "./retest.ts";
import { statusCommand } from "./status.ts";
import { testallCommand } from "./testall.ts";
import type { CommandDef } from "./types.ts";
import { upgradeAllCommand } from "./upgrade-all.ts";

/** Every slash-command, in the order `/help` lists them (an explicit list, no import side effects). */
export const COMMANDS: readonly CommandDef[] = [
  helpCommand(() => COMMANDS),
  statusCommand,
  retestCommand,
  cancelCommand,
  recipeUpgradeCommand,
  upgradeAllCommand,
  testallCommand,
  pingCommand,
  phaseCommand,
  restartCommand,
  pauseCommand,
  resumeCommand,
];
