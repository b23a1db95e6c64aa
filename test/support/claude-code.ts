import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** The real Claude Code (`@anthropic-ai/claude-code`, pinned in package.json): a native binary. */
export function claudeBin(): string {
  return realpathSync(join(dirname(require.resolve("@anthropic-ai/claude-code/package.json")), "bin", "claude.exe"));
}

/** An API key Claude Code accepts the shape of; the fake model never checks it. */
const FAKE_KEY = "sk-ant-api03-offline-test-key-000000000000000000000AA";

/**
 * Everything the real Claude Code needs to run offline against a fake Messages API on loopback:
 * the API at ANTHROPIC_BASE_URL with a dummy key, every switch that turns off updates, telemetry
 * and error reports, a throwaway HOME whose ~/.claude.json has the first-run setup done (theme,
 * onboarding, the key approved, the project trusted), and a proxy that refuses everything else.
 */
export function offlineClaudeEnv(o: { root: string; modelUrl: string; proxyUrl: string }): { env: Record<string, string>; project: string } {
  const home = join(o.root, "home");
  const project = join(o.root, "project");
  const xdg = { XDG_CONFIG_HOME: join(home, ".config"), XDG_DATA_HOME: join(home, ".local", "share"), XDG_CACHE_HOME: join(home, ".cache"), XDG_STATE_HOME: join(home, ".local", "state") };
  for (const d of [project, ...Object.values(xdg)]) mkdirSync(d, { recursive: true });
  writeFileSync(
    join(home, ".claude.json"),
    JSON.stringify({
      hasCompletedOnboarding: true,
      theme: "dark",
      customApiKeyResponses: { approved: [FAKE_KEY.slice(-20)], rejected: [] },
      projects: { [project]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
    }),
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    ...xdg,
    TERM: "xterm-256color",
    LANG: "C.UTF-8",
    ANTHROPIC_BASE_URL: o.modelUrl,
    ANTHROPIC_API_KEY: FAKE_KEY,
    DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_TELEMETRY: "1",
    DISABLE_ERROR_REPORTING: "1",
    HTTP_PROXY: o.proxyUrl,
    HTTPS_PROXY: o.proxyUrl,
    http_proxy: o.proxyUrl,
    https_proxy: o.proxyUrl,
    NO_PROXY: "127.0.0.1,localhost",
    no_proxy: "127.0.0.1,localhost",
  };
  return { env, project };
}
