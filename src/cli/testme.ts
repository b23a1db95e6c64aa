import { GiteaClient } from "../gitea/client.ts";
import { loadConfigOrExplain, parse, CliError, type Command } from "./command.ts";
import { botBase, exitCodeOf, formatVerdict, parsePrRef, readVerdict, sleep, type PrVerdict } from "./pr-verdict.ts";

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
    const { values, positionals } = parse(
      args,
      {
        config: { type: "string" },
        url: { type: "string" },
        quick: { type: "boolean" },
        wait: { type: "boolean" },
        json: { type: "boolean" },
        timeout: { type: "string", default: "90" },
        interval: { type: "string", default: "5" },
      },
      true,
    );
    if (positionals.length !== 1) throw new CliError("give exactly one pull request, as owner/repo#N", 2);
    const pr = parsePrRef(positionals[0]);
    const { config } = loadConfigOrExplain(values.config);
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
    const base = botBase(config, values.url);
    const deadline = Date.now() + Number(values.timeout) * 60_000;
    const interval = Math.max(0.05, Number(values.interval)) * 1000;
    // Wait for the run this comment asked for: through the bot's API, the run that names the
    // comment; through Gitea, a pending status first (an older verdict must not be read as this one).
    let seenPending = false;
    let v: PrVerdict;
    for (;;) {
      v = await readVerdict(config, base, pr, values.url !== undefined);
      const ours = v.source === "bot" ? v.commentId === posted.id : seenPending || v.verdict === "PENDING";
      if (v.verdict === "PENDING") seenPending = true;
      if ((ours && v.verdict !== "PENDING") || Date.now() > deadline) break;
      await sleep(interval);
    }
    const done = v.source === "bot" ? v.commentId === posted.id && v.verdict !== "PENDING" : seenPending && v.verdict !== "PENDING";
    process.stdout.write(values.json ? `${JSON.stringify(v)}\n` : `${formatVerdict(v, pr)}\n`);
    return done ? exitCodeOf(v.verdict) : 3;
  },
};
