import { ConfigError } from "../../src/config/load.ts";

/** The one-line problems a configuration is refused with; fails when it is not refused. */
export function configProblems(load: () => unknown): string[] {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}
