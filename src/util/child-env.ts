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

/** The bot's own secret-bearing variables, whatever their values. */
const SECRET_NAMES = new Set(["GITEA_TOKEN", "WEBHOOK_SECRET", "OPERATOR_TOKEN", "OPENCODE_SERVER_PASSWORD"]);

/**
 * The bot's environment for programs that keep it for others: the tmux server the bot may
 * start passes its environment to every agent session. Everything but the bot's secrets,
 * by name and by value (a secret put in the YAML as `${ANY_NAME}` is dropped too), so the
 * agents keep what they need (PATH, HOME, their own API keys) and never the bot's token.
 */
export function withoutSecrets(env: NodeJS.ProcessEnv, secrets: ReadonlyArray<string | undefined>): Record<string, string> {
  const values = new Set(secrets.filter((s): s is string => typeof s === "string" && s.length > 0));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || SECRET_NAMES.has(k) || values.has(v)) continue;
    out[k] = v;
  }
  return out;
}
