/**
 * Records a fresh Gitea/Forgejo playing the 1.15.11 scenario:
 *   npm run record:gitea -- --url URL --admin user:pass --out DIR
 * One line per action while it records, then a summary; any failure is one line on stderr.
 */
import { parseArgs, USAGE, UsageError } from "./args.ts";
import { record } from "./scenario.ts";

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`record-gitea: ${err.message} (see --help)\n`);
    return 2;
  }
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const password = args.admin.password;
  try {
    const done = await record({ ...args, print: (line) => process.stdout.write(`${line}\n`) });
    process.stdout.write(`${done.deliveries} deliveries, ${done.exchanges} exchanges written to ${args.out}\n`);
    if (done.missing.length > 0) {
      process.stderr.write(`record-gitea: no delivery for ${done.missing.join(", ")} (see the WARNING lines)\n`);
      return 1;
    }
    return 0;
  } catch (err) {
    const msg = (err instanceof Error ? err.message : String(err)).split("\n")[0] ?? "";
    process.stderr.write(`record-gitea: ${msg.split(password).join("<redacted>")}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
