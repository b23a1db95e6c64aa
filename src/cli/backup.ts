import { CliError, loadConfigOrExplain, parse, type Command } from "./command.ts";

export const backup: Command = {
  name: "backup",
  summary: "copy the store to FILE, consistently, while the bot runs",
  help: `Usage: cc-ci-bot backup FILE [--config FILE] [--json]

Writes a consistent copy of the SQLite store in DATA_DIR to FILE (which must not exist),
as of one moment, without stopping the bot or holding up its writes; then checks the copy.
Run it as the bot's user (it reads DATA_DIR/cc-ci-bot.sqlite).

Restore: stop the bot, copy FILE to DATA_DIR/cc-ci-bot.sqlite, delete
DATA_DIR/cc-ci-bot.sqlite-wal and -shm if present, start the bot. Deliveries that arrived
after the backup are not in it; queued work in it is picked up again at start.

Options:
  --config FILE   configuration file (for dataDir / DATA_DIR)
  --json          print {file, bytes, schemaVersion} as JSON
Exit status: 0 written, 1 failed, 2 usage or configuration.
`,
  async run(args) {
    const { values, positionals } = parse(args, { config: { type: "string" }, json: { type: "boolean" } }, true);
    const target = positionals[0];
    if (positionals.length !== 1 || target === undefined) throw new CliError("give exactly one file to write the backup to", 2);
    const { config } = await loadConfigOrExplain(values.config);
    const { backupStore } = await import("../store/backup.ts");
    const { StoreVersionError } = await import("../store/db.ts");
    try {
      const result = backupStore(config.dataDir, target);
      process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `backup of ${config.dataDir} written to ${result.file} (${result.bytes} bytes, schema ${result.schemaVersion})\n`);
      return 0;
    } catch (err) {
      if (err instanceof StoreVersionError) throw err;
      throw new CliError((err as Error).message);
    }
  },
};
