import { basename } from "node:path";
import { CLAUDE_CODE_PATTERNS, claudeCodeProfile } from "./claude-code.ts";
import { GENERIC_PATTERNS, genericProfile } from "./generic.ts";
import { OPENCODE_PATTERNS, opencodeProfile } from "./opencode.ts";
import type { PatternOverrides, Profile, ProfileName, ProfilePatterns } from "./profile.ts";

export type { PatternOverrides, Profile, ProfileName, ProfilePatterns, ScreenReading } from "./profile.ts";
export { PROFILE_NAMES } from "./profile.ts";

const BUILDERS: Record<ProfileName, { patterns: ProfilePatterns; make: (p: ProfilePatterns) => Profile }> = {
  "claude-code": { patterns: CLAUDE_CODE_PATTERNS, make: claudeCodeProfile },
  opencode: { patterns: OPENCODE_PATTERNS, make: opencodeProfile },
  generic: { patterns: GENERIC_PATTERNS, make: genericProfile },
};

/**
 * The profile a start command suggests: `claude` → claude-code, `opencode` → opencode; anything
 * else → generic. Only a first guess: a wrapper script hides the program, the screen decides.
 */
export function defaultProfile(argv: readonly string[]): ProfileName {
  // Look past launchers such as `env FOO=1 claude` or `npx claude`.
  const names = argv.slice(0, 4).map((a) => basename(a));
  if (names.some((n) => /^claude(-code)?$/.test(n))) return "claude-code";
  return names.some((n) => /^opencode(\.exe)?$/.test(n)) ? "opencode" : "generic";
}

/**
 * A session's profile: the one it names, else the one its start command suggests. Pattern lists
 * set in the configuration replace the profile's own.
 */
export function profileFor(name: ProfileName | undefined, argv: readonly string[], overrides: PatternOverrides = {}): Profile {
  const b = BUILDERS[name ?? defaultProfile(argv)];
  const set = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<ProfilePatterns>;
  return b.make({ ...b.patterns, ...set });
}
