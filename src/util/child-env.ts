/**
 * The environment every child the bot starts begins from: enough to find programs and a home,
 * nothing of the bot's own (its tokens and secrets stay in this process).
 */
export function baseChildEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", LANG: process.env.LANG ?? "C.UTF-8" };
}

/** "recipes/nextcloud" -> "nextcloud". */
export function recipeOf(repo: string): string {
  return repo.split("/")[1] ?? repo;
}
