import { GiteaClient } from "../gitea/client.ts";
import { CliError, type Command } from "./command.ts";
import { exitCodeOf, formatVerdict, parsePrCommand, readVerdict, sleep, type PrVerdict } from "./pr-verdict.ts";

export const testme: Command = {
  name: "testme",
  summary: "ask for a !testme run on a PR (as the configured Gitea user), optionally waiting for it",
  help: `Usage: cc-ci-bot testme owner/repo#N [--quick] [--wait] [--json] [--url URL] [--config FILE]

Posts "!testme" (or "!testme --quick") on the PR as the user of GITEA_TOKEN, which must be
allowed to trigger runs. With --wait, waits for the verdict of the run that comment asked
for and prints it like "cc-ci-bot status".

Options:
  --quick            the quick tier only
  --wait             wait for the verdict (see status --timeout and --interval)
  --timeout MIN      give up waiting after MIN minutes (default 90; exit 3)
  --interval SEC     seconds between questions while waiting (default 5)
  --json             print the verdict as JSON
Exit status: 0 posted (or GREEN with --wait), 1 RED or ERROR or the comment failed, 3 still
pending or no run after the timeout, 2 usage or configuration.
`,
  async run(args) {
    const { values, pr, config, base, explicitUrl, deadline, intervalMs } = await parsePrCommand(args, { quick: { type: "boolean" } });
    const gitea = new GiteaClient({ url: config.gitea.url, token: config.gitea.token, timeoutMs: config.gitea.timeoutSeconds * 1000 });
    let posted: { id: number };
    try {
      posted = await gitea.createComment(pr.owner, pr.repo, pr.number, values.quick ? "!testme --quick" : "!testme");
    } catch (err) {
      throw new CliError(`could not comment on ${pr.owner}/${pr.repo}#${pr.number}: ${(err as Error).message}`);
    }
    if (!values.wait) {
      process.stdout.write(`asked for a ${values.quick ? "quick" : "full"} run on ${pr.owner}/${pr.repo}#${pr.number} (comment ${posted.id})\n`);
      return 0;
    }
    // Wait for the run this comment asked for: through the bot's API, the run that names the
    // comment; through Gitea, a pending status first (an older verdict must not be read as this one).
    let seenPending = false;
    let v: PrVerdict;
    for (;;) {
      v = await readVerdict(config, base, pr, explicitUrl);
      const ours = v.source === "bot" ? v.commentId === posted.id : seenPending || v.verdict === "PENDING";
      if (v.verdict === "PENDING") seenPending = true;
      if ((ours && v.verdict !== "PENDING") || Date.now() > deadline) break;
      await sleep(intervalMs);
    }
    const done = v.source === "bot" ? v.commentId === posted.id && v.verdict !== "PENDING" : seenPending && v.verdict !== "PENDING";
    process.stdout.write(values.json ? `${JSON.stringify(v)}\n` : `${formatVerdict(v, pr)}\n`);
    return done ? exitCodeOf(v.verdict) : 3;
  },
};
