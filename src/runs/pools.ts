import { globToRegExp } from "../config/enrolment.ts";
import type { Config } from "../config/schema.ts";

export const DEFAULT_POOL = "default";

/** The pool of a recipe repo: the first `testme.runner.pool` pattern it matches, else `default`. */
export function makePoolOf(config: Pick<Config, "testme">): (repo: string) => string {
  const rules = Object.entries(config.testme.runner.pool).map(([glob, pool]) => ({ re: globToRegExp(glob), pool }));
  return (repo) => rules.find((r) => r.re.test(repo))?.pool ?? DEFAULT_POOL;
}

/** Every pool the configuration names (metric labels come from here only). */
export function configuredPools(config: Pick<Config, "testme">): string[] {
  return [...new Set([DEFAULT_POOL, ...Object.values(config.testme.runner.pool)])];
}
