import { loadConfigOrExplain, parse, type Command } from "./command.ts";
import { notifySystemd } from "./sd-notify.ts";
import { onStopSignal } from "../util/stop-signal.ts";

export const serve: Command = {
  name: "serve",
  summary: "run the bot: webhook intake, handlers, outbox, web pages",
  help: `Usage: cc-ci-bot serve [--config FILE] [--no-dispatch]

Serves POST /webhook, the dashboard, /api, /healthz, /readyz and /metrics on PORT
(default 8787). Stops gracefully on SIGTERM or SIGINT; a second one exits at once.

Options:
  --config FILE    configuration file (default: CC_CI_BOT_CONFIG or ./cc-ci-bot.yaml)
  --no-dispatch    accept and store deliveries but do not process them (maintenance);
                   a later normal start processes everything stored
`,
  async run(args) {
    const { values } = parse(args, { config: { type: "string" }, "no-dispatch": { type: "boolean" } });
    const { config, warnings } = await loadConfigOrExplain(values.config);
    // The whole bot is imported only to serve, so the other commands and --help start quickly.
    const { startBot } = await import("../main.ts");
    const bot = await startBot({ config, dispatch: !values["no-dispatch"] });
    for (const w of warnings) bot.log.warn(w);
    const notifyFailed = (err: Error) => bot.log.warn({ err: err.message }, "could not notify systemd (systemd-notify)");
    const stopped = new Promise<void>((resolve) => {
      const onSignal = (signal: NodeJS.Signals) => {
        bot.log.info({ signal }, "stopping");
        void Promise.all([notifySystemd({ STOPPING: "1" }, notifyFailed), bot.stop()]).then(() => resolve());
      };
      onStopSignal(onSignal);
    });
    await notifySystemd({ READY: "1", STATUS: `listening on port ${bot.port}` }, notifyFailed);
    await stopped;
    return 0;
  },
};
