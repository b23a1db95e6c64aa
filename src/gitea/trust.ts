import type { GiteaPort } from "./port.ts";
import { giteaUnreachable } from "./unreachable.ts";

export interface TrustConfig {
  users: readonly string[];
  orgs: readonly string[];
  collaborators: boolean;
}

export type TrustDecision = { allowed: true; via: string } | { allowed: false };

/**
 * Raised when a permission cannot be checked. `unreachable`: Gitea did not answer (wait and
 * ask again); otherwise it refused the check. Either way nothing runs until it is made (fail closed).
 */
export class TrustCheckError extends Error {
  get unreachable(): boolean {
    return giteaUnreachable(this.cause);
  }
}

/**
 * Who may trigger runs (docs/design.md#testme-runs): the allowlist, members of trusted orgs, and, when enabled,
 * repo collaborators with write access (the permission endpoint on Gitea 1.17+, the
 * collaborator check before it). The bot needs no admin rights for any of these calls.
 */
export async function checkTrust(
  gitea: Pick<GiteaPort, "isOrgMember" | "permission" | "isCollaborator">,
  trust: TrustConfig,
  repo: string,
  user: string,
): Promise<TrustDecision> {
  const who = user.toLowerCase();
  if (trust.users.some((u) => u.toLowerCase() === who)) return { allowed: true, via: "allowlist" };
  try {
    for (const org of trust.orgs) {
      if (await gitea.isOrgMember(org, user)) return { allowed: true, via: `member of ${org}` };
    }
    if (trust.collaborators) {
      const [owner, name] = repo.split("/") as [string, string];
      const permission = await gitea.permission(owner, name, user);
      if (permission === null) {
        if (await gitea.isCollaborator(owner, name, user)) return { allowed: true, via: "collaborator" };
      } else if (permission === "write" || permission === "admin") {
        return { allowed: true, via: `${permission} permission` };
      }
    }
  } catch (err) {
    throw new TrustCheckError((err as Error).message, { cause: err });
  }
  return { allowed: false };
}
