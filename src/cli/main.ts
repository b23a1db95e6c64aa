import { serve } from "./serve.ts";
import { checkConfig } from "./check-config.ts";
import { replay } from "./replay.ts";
import { status } from "./status.ts";
import { testme } from "./testme.ts";
import { backup } from "./backup.ts";
import { worker } from "./worker.ts";
import { CliError, type Command } from "./command.ts";

const COMMANDS: readonly Command[] = [serve, checkConfig, status, testme, replay, backup, worker];

const USAGE = `cc-ci-bot — Gitea webhooks to CI runs and agent pings

Usage: cc-ci-bot <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`).join("\n")}

Run "cc-ci-bot <command> --help" for a command's options.
Configuration: --config FILE, CC_CI_BOT_CONFIG, or ./cc-ci-bot.yaml; the environment wins.
`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`cc-ci-bot: unknown command "${name}"; run cc-ci-bot --help\n`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`cc-ci-bot ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    // A store from a newer release is the operator's to resolve: one line, not a stack trace.
    const { StoreVersionError } = await import("../store/db.ts");
    if (err instanceof StoreVersionError) {
      process.stderr.write(`cc-ci-bot ${name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
