import { loadConfigOrExplain, parse, CliError, type Command } from "./command.ts";
import { botBase, exitCodeOf, formatVerdict, parsePrRef, readVerdict, sleep } from "./pr-verdict.ts";

export const status: Command = {
  name: "status",
  summary: "print the !testme verdict of a PR (GREEN, RED, ERROR, PENDING, NONE)",
  help: `Usage: cc-ci-bot status owner/repo#N [--wait] [--json] [--url URL] [--config FILE]

Prints the verdict of the PR's newest run, the commit it tested and its run page:
  GREEN 1a2b3c4 https://ci.example.org/runs/12
Reads the bot's API (--url, or server.publicUrl, or http://127.0.0.1:<port>); when the bot
cannot be reached, the cc-ci commit status of the PR head in Gitea. Read-only.

Options:
  --wait             keep asking until the verdict is no longer PENDING
  --timeout MIN      give up waiting after MIN minutes (default 90; exit 3)
  --interval SEC     seconds between questions while waiting (default 5)
  --json             print {verdict, sha, url, source} as JSON
Exit status: 0 GREEN, 1 RED or ERROR, 3 PENDING or NONE, 2 usage or configuration.
`,
  async run(args) {
    const { values, positionals } = parse(
      args,
      {
        config: { type: "string" },
        url: { type: "string" },
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
    const base = botBase(config, values.url);
    const deadline = Date.now() + Number(values.timeout) * 60_000;
    let v = await readVerdict(config, base, pr, values.url !== undefined);
    while (values.wait && v.verdict === "PENDING" && Date.now() < deadline) {
      await sleep(Number(values.interval) * 1000);
      v = await readVerdict(config, base, pr, values.url !== undefined);
    }
    process.stdout.write(values.json ? `${JSON.stringify(v)}\n` : `${formatVerdict(v, pr)}\n`);
    return exitCodeOf(v.verdict);
  },
};
