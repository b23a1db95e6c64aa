import type { GiteaPort } from "./port.ts";
import type { GiteaWrite } from "./write.ts";

/** The hidden line that makes a reply findable again: its outbox key. */
export function replyMarker(key: string): string {
  return `<!-- cc-ci-bot:reply ${key.replace(/[^\w:/#.@+-]/g, "_").replace(/--/g, "-_")} -->`;
}

export type ForgeReader = Pick<GiteaPort, "comments" | "combinedStatus">;

/**
 * Whether a write whose last attempt may have reached Gitea (the bot died mid-request, or the
 * request timed out) is already there. This is where the at-least-once of sending ends and the
 * exactly-once at the forge begins: such a write is looked up before it is sent again.
 * - setStatus: Gitea's combined status holds the latest status per context
 *   (GetLatestCommitStatus); ours is there if that one has our state, description and link.
 *   Nothing later of the same PR can have overtaken it: the lane sends one write at a time.
 * - createComment: every reply carries `replyMarker(key)`; a bot comment with it is ours.
 * - addReaction: Gitea answers 200 with the existing reaction instead of adding a second one
 *   (routers/api/v1/repo/issue_reaction.go, ErrReactionAlreadyExist), so sending is safe.
 * - editComment and upsertComment leave the same comment whatever the number of sends.
 */
export async function alreadyMade(gitea: ForgeReader, key: string, w: GiteaWrite, botUser: string | null): Promise<boolean> {
  switch (w.op) {
    case "setStatus": {
      const { statuses } = await gitea.combinedStatus(w.owner, w.repo, w.sha);
      const latest = statuses.find((s) => s.context === w.context);
      return latest !== undefined && latest.state === w.state && latest.description === w.description.slice(0, 255) && latest.targetUrl === (w.targetUrl ?? "");
    }
    case "createComment": {
      if (botUser === null) return false;
      const marker = replyMarker(key);
      return (await gitea.comments(w.owner, w.repo, w.number)).some((c) => c.author.toLowerCase() === botUser.toLowerCase() && c.body.includes(marker));
    }
    default:
      return false;
  }
}
