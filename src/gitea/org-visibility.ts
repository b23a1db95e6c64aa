import type { Logger } from "../log.ts";
import type { GiteaPort } from "./port.ts";

/**
 * Gitea shows private org membership only to members of the org: to anyone else
 * `GET /orgs/{org}/members/{user}` redirects to the public membership check (1.15
 * routers/api/v1/org/member.go). A bot outside a trusted org therefore refuses every
 * member who has not made their membership public. Say so once at start, naming the fix.
 */
export async function warnIfOrgsHidden(gitea: Pick<GiteaPort, "isOrgMember">, orgs: readonly string[], botLogin: string, log: Pick<Logger, "warn" | "debug">): Promise<string[]> {
  const hidden: string[] = [];
  for (const org of orgs) {
    try {
      if (await gitea.isOrgMember(org, botLogin)) continue;
      hidden.push(org);
      log.warn(
        { org, botUser: botLogin },
        `the bot account ${botLogin} is not a member of the trusted org ${org}: Gitea hides private memberships from non-members, so only members with a public membership can !testme; add ${botLogin} to a team of ${org}`,
      );
    } catch (err) {
      log.debug({ err, org }, "could not check the bot's own membership of a trusted org");
    }
  }
  return hidden;
}
