import type { Config } from "./schema.ts";

/**
 * Which repositories the bot acts on: the `testme.repos` globs (`*` matches within one path
 * segment) and every loop repo. Gitea owner and repo names are case-insensitive.
 */
export function makeEnrolment(config: Pick<Config, "testme" | "loops">): (repo: string) => boolean {
  const patterns = [...config.testme.repos, ...config.loops.map((l) => l.repo)].map(globToRegExp);
  return (repo) => patterns.some((p) => p.test(repo));
}

/** The repos where `!testme` and PR-sync apply: `testme.repos` only. */
export function makeTestmeEnrolment(config: Pick<Config, "testme">): (repo: string) => boolean {
  const patterns = config.testme.repos.map(globToRegExp);
  return (repo) => patterns.some((p) => p.test(repo));
}

export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^/]*");
  return new RegExp(`^${body}$`, "i");
}
