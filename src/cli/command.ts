import { parseArgs, type ParseArgsConfig } from "node:util";
import type { LoadedConfig } from "../config/load.ts";

export interface Command {
  name: string;
  summary: string;
  help: string;
  run(args: string[]): Promise<number>;
}

/** A failure the CLI reports in one line with its exit code (2: usage or configuration, 1: the operation failed). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function parse<T extends NonNullable<ParseArgsConfig["options"]>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message}; see --help`, 2);
  }
}

/** Loads the configuration; imported on use, so `--help` does not pay for zod and the YAML parser. */
export async function loadConfigOrExplain(path: string | undefined): Promise<LoadedConfig> {
  const { ConfigError, loadConfig } = await import("../config/load.ts");
  try {
    return loadConfig({ path });
  } catch (err) {
    if (err instanceof ConfigError) {
      throw new CliError(`${err.message}\nTo try the bot without a Gitea server, run: npm run demo`, 2);
    }
    throw err;
  }
}
