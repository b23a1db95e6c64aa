import type { Clock } from "../clock.ts";
import type { Config } from "../config/schema.ts";
import type { GiteaPort } from "../gitea/port.ts";
import type { GiteaOutbox } from "../gitea/outbox.ts";
import type { RunService } from "../runs/service.ts";
import { prLane, triggerKey } from "../runs/lanes.ts";
import { duration } from "../runs/report.ts";
import type { RunStore } from "../store/runs.ts";
import type { CommentEvent } from "../webhooks/events.ts";
import { parseTestme, TESTME_USAGE } from "../commands/comment-lines.ts";
import type { Handler } from "./handler.ts";
import { checkTrust, TrustCheckError } from "../gitea/trust.ts";

export interface TestmeDeps {
  config: Pick<Config, "testme">;
  isTestmeRepo: (repo: string) => boolean;
  gitea: Pick<GiteaPort, "isOrgMember" | "permission" | "isCollaborator" | "pullRequest">;
  outbox: Pick<GiteaOutbox, "enqueue">;
  runs: Pick<RunService, "request">;
  runStore: Pick<RunStore, "countForHead" | "decision">;
  runUrl: (id: number) => string;
  clock: Clock;
}

/**
 * `!testme` in a PR comment (docs/design.md#testme-runs): check who asked, acknowledge at once (pending status,
 * eyes reaction), and queue a run pinned to the PR head at the time of the comment. A run
 * already queued or running for that head is not started twice; the reply links it.
 *
 * Safe to run again for the same comment (after a crash or an outage): every effect is keyed
 * by the comment — the replies and the reaction by their outbox keys, the run by its trigger
 * (comment, head SHA, mode) in the run store — so a second pass repeats none of them.
 */
export function createTestmeHandler(d: TestmeDeps): Handler {
  return {
    name: "testme",
    kinds: ["comment"],
    async handle(event, ctx) {
      const e = event as CommentEvent;
      if (e.action !== "created" || !e.isPull || e.issueState !== "open" || !d.isTestmeRepo(e.repo)) return;
      const request = parseTestme(e.body);
      if (!request) return;
      const [owner, repo] = e.repo.split("/") as [string, string];
      const lane = prLane(e.repo, e.number);
      const reply = (key: string, body: string) =>
        d.outbox.enqueue(`${key}:${e.repo}:${e.commentId}`, lane, { op: "createComment", owner, repo, number: e.number, body: `@${e.author} ${body}` });

      if (request.kind === "usage") return void (await reply("usage", TESTME_USAGE));
      let allowed: boolean;
      try {
        allowed = (await checkTrust(d.gitea, d.config.testme.trust, e.repo, e.author)).allowed;
      } catch (err) {
        if (!(err instanceof TrustCheckError)) throw err;
        // Gitea unreachable: the dispatcher waits for it and asks again, for up to
        // trustWaitMinutes from the comment, before the user is told.
        const waited = d.clock.now() - ctx.receivedAt;
        if (err.unreachable && waited < d.config.testme.trustWaitMinutes * 60_000) throw err;
        ctx.log.warn({ err, user: e.author, waitedMs: waited }, "permission check could not be made; refusing");
        const why = err.unreachable ? `the forge did not answer for ${duration(waited)}` : "the forge refused the check";
        return void (await reply("trust-error", `I could not check your permission to run tests (${why}), so nothing was started. Comment \`!testme\` again to retry.`));
      }
      if (!allowed) {
        return void (await reply("refused", "thanks for asking, but `!testme` is limited to maintainers of this recipe. A maintainer can start the tests."));
      }

      // Pinned to the head at comment time: the payload has it on 1.23+, else ask once.
      let sha = e.headSha;
      let ref = e.headRef;
      if (sha === null || ref === null) {
        const pr = await d.gitea.pullRequest(owner, repo, e.number);
        if (pr.state !== "open") return;
        sha = pr.headSha;
        ref = pr.headRef;
      }
      // The eyes go on the lane after the pending status: the status is what users and a stale
      // GREEN on this SHA wait on, and on a real Gitea each write costs a round trip.
      const eyes = () => d.outbox.enqueue(`eyes:${e.repo}:${e.commentId}`, lane, { op: "addReaction", owner, repo, commentId: e.commentId, reaction: "eyes" });
      const cap = d.config.testme.maxRunsPerPr;
      const mode = request.quick ? "quick" : "full";
      const decided = (await d.runStore.decision(triggerKey({ repo: e.repo, pr: e.number, commentId: e.commentId, sha, mode }))) !== null;
      if (cap > 0 && !decided && (await d.runStore.countForHead(e.repo, e.number, sha)) >= cap) {
        await eyes();
        return void (await reply("cap", `this commit (\`${sha.slice(0, 7)}\`) has had its ${cap} run${cap === 1 ? "" : "s"}; push a new commit to test again.`));
      }
      const cloneUrl = e.cloneUrl ?? "";
      const { run, created } = await d.runs.request({
        repo: e.repo,
        pr: e.number,
        sha,
        ref,
        cloneUrl,
        mode,
        requestedBy: e.author,
        commentId: e.commentId,
      });
      await eyes();
      if (!created) {
        await reply("coalesced", `a ${run.mode} run of \`${sha.slice(0, 7)}\` is already ${run.state}: ${d.runUrl(run.id)}`);
      }
    },
  };
}
