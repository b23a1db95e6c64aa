import type { Logger } from "../log.ts";
import { detectProfile } from "./profiles/detect.ts";
import { profileFor, type PatternOverrides, type Profile } from "./profiles/index.ts";

/** What the configuration says about a session's profile. */
export interface ProfileSetting {
  /** The configured profile, or the first guess from the start command's argv. */
  profile: Profile;
  /** True when `profile:` was set: the screen then only warns when it says otherwise. */
  profileSet?: boolean | undefined;
}

/**
 * Which profile reads each session's screen. Operators start agents through wrapper scripts, so
 * the argv is only a first guess: without `profile:` the screen decides, read again on every look
 * while nothing on it decides, then kept until the session is restarted (a TUI does not turn into
 * another one). A set profile is kept even when the screen contradicts it (the operator may know
 * better), but the operator is told once per session which profile fits.
 */
export class ScreenProfiles {
  private readonly decided = new Map<string, Profile>();
  private readonly warned = new Set<string>();
  private readonly generic: Profile;

  constructor(private readonly o: { overrides?: PatternOverrides | undefined; log: Logger }) {
    this.generic = profileFor("generic", [], o.overrides);
  }

  /** The profile to read `screen` of session `name` with; `setting` undefined: a session not configured here. */
  pick(name: string, setting: ProfileSetting | undefined, screen: string): Profile {
    if (setting?.profileSet) {
      this.warnIfContradicted(name, setting.profile, screen);
      return setting.profile;
    }
    const kept = this.decided.get(name);
    if (kept) return kept;
    const seen = detectProfile(screen);
    if (seen === null) return setting?.profile ?? this.generic;
    const profile = seen === setting?.profile.name ? setting.profile : profileFor(seen, [], this.o.overrides);
    this.decided.set(name, profile);
    this.o.log.info({ session: name, profile: seen }, "profile read from the session's screen");
    return profile;
  }

  /** Whether the screen has decided this session's profile (or the configuration set it). */
  settled(name: string, setting: ProfileSetting | undefined): boolean {
    return setting?.profileSet === true || this.decided.has(name);
  }

  /** The session was restarted or is gone: its next screen decides again. */
  forget(name: string): void {
    this.decided.delete(name);
  }

  private warnIfContradicted(name: string, set: Profile, screen: string): void {
    if (this.warned.has(name)) return;
    const seen = detectProfile(screen);
    if (seen === null || seen === set.name) return;
    this.warned.add(name);
    this.o.log.warn(
      { session: name, profile: set.name, fits: seen },
      `session ${name} is configured with profile: ${set.name} but its screen is ${seen}'s: set profile: ${seen} (or remove profile: to have it read from the screen)`,
    );
  }
}
