import { GiteaError, type GiteaPort } from "../gitea/port.ts";
import type { Logger } from "../log.ts";

/**
 * The concrete recipe repos behind the `testme.repos` globs: an exact name is itself; for
 * `owner/<glob>` the owner's repos are listed (as an organisation; Gitea answers 404 there for
 * a user, so then as a user) and kept when they match. Sorted, without duplicates.
 */
export async function enrolledRepos(
  patterns: readonly string[],
  isTestmeRepo: (repo: string) => boolean,
  gitea: Pick<GiteaPort, "orgRepos" | "userRepos">,
  log: Logger,
): Promise<{ repos: string[]; failed: Array<{ repo: string; reason: string }> }> {
  const repos = new Map<string, string>();
  const failed: Array<{ repo: string; reason: string }> = [];
  const owners = new Set<string>();
  for (const p of patterns) {
    if (!p.includes("*")) repos.set(p.toLowerCase(), p);
    else owners.add(p.split("/")[0]!);
  }
  for (const owner of owners) {
    try {
      let names: string[];
      try {
        names = await gitea.orgRepos(owner);
      } catch (err) {
        if (!(err instanceof GiteaError && err.status === 404)) throw err;
        names = await gitea.userRepos(owner);
      }
      for (const r of names) if (isTestmeRepo(r)) repos.set(r.toLowerCase(), r);
    } catch (err) {
      log.warn({ err, owner }, "sweep could not list the owner's repos");
      failed.push({ repo: `${owner}/*`, reason: `could not list the repos: ${(err as Error).message}` });
    }
  }
  return { repos: [...repos.values()].sort((a, b) => a.localeCompare(b)), failed };
}
