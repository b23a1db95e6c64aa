import type { MirrorCommit } from "../git/mirror.ts";

export interface HandoffRules {
  pings: ReadonlyArray<{ prefix: string; to: string }>;
  /** path -> role */
  inboxes: Readonly<Record<string, string>>;
}

export interface PlannedPing {
  role: string;
  /** One entry per reason, oldest first: "1a2b3c4 claim(gate-1): ..." or "inbox <path> updated at 1a2b3c4". */
  entries: Array<{ sha: string; line: string }>;
}

/**
 * Which roles a range of pushed commits pings, and with what (docs/design.md#handoff-relay): a commit whose
 * subject starts with a rule's prefix pings that rule's role; a commit adding or modifying an
 * inbox file pings the inbox's role (deleting it pings nobody: that is the receiver consuming
 * it). One ping per role, listing its commits oldest first, newest last.
 */
export function planPings(commits: readonly MirrorCommit[], rules: HandoffRules): PlannedPing[] {
  const byRole = new Map<string, PlannedPing>();
  const add = (role: string, sha: string, line: string) => {
    const p = byRole.get(role) ?? { role, entries: [] };
    p.entries.push({ sha, line });
    byRole.set(role, p);
  };
  for (const c of commits) {
    const short = c.sha.slice(0, 7);
    for (const rule of rules.pings) {
      if (c.subject.startsWith(rule.prefix)) add(rule.to, c.sha, `${short} ${c.subject}`);
    }
    for (const path of c.touched) {
      const role = rules.inboxes[path];
      if (role !== undefined) add(role, c.sha, `inbox ${path} updated at ${short}`);
    }
  }
  return [...byRole.values()];
}

/** The ping's one line of text. */
export function pingText(loop: string, p: PlannedPing): string {
  return `[cc-ci-bot] ${loop}: ${p.entries.map((e) => e.line).join(" | ")}`;
}

export function shasOf(p: PlannedPing): string[] {
  return [...new Set(p.entries.map((e) => e.sha))];
}
