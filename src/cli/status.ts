import type { Command } from "./command.ts";
import { exitCodeOf, formatVerdict, parsePrCommand, readVerdict, sleep } from "./pr-verdict.ts";

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
    const { values, pr, config, base, explicitUrl, deadline, intervalMs } = await parsePrCommand(args);
    let v = await readVerdict(config, base, pr, explicitUrl);
    while (values.wait && v.verdict === "PENDING" && Date.now() < deadline) {
      await sleep(intervalMs);
      v = await readVerdict(config, base, pr, explicitUrl);
    }
    process.stdout.write(values.json ? `${JSON.stringify(v)}\n` : `${formatVerdict(v, pr)}\n`);
    return exitCodeOf(v.verdict);
  },
};
