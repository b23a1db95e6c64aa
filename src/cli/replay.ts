import { existsSync, readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { openStore } from "../store/index.ts";
import { sign } from "../webhooks/signature.ts";
import { CliError, loadConfigOrExplain, parse, type Command } from "./command.ts";

export const replay: Command = {
  name: "replay",
  summary: "re-run a dead-letter delivery, or send a captured delivery file to the bot",
  help: `Usage: cc-ci-bot replay <delivery-id | delivery-file> [--config FILE] [--url URL]

With a delivery id (see /api/deliveries?state=dead): puts the stored delivery back in the
queue. Handlers that already succeeded for it are not run again. Works whether the bot is
running (it picks the delivery up within a second) or not (it runs at the next start).

With a file: a captured delivery, NAME.body.json beside NAME.headers.json (either may be
named). The body is posted to the bot's /webhook with its recorded event headers, signed
with the configured webhook secret under a new delivery id; a delivery the bot has already
processed is answered as a duplicate.

Options:
  --config FILE   configuration file
  --url URL       the bot's base URL (default http://127.0.0.1:<server.port>)
`,
  async run(args) {
    const { values, positionals } = parse(args, { config: { type: "string" }, url: { type: "string" } }, true);
    const target = positionals[0];
    if (positionals.length !== 1 || target === undefined) throw new CliError("give exactly one delivery id or delivery file", 2);
    const { config } = await loadConfigOrExplain(values.config);
    if (existsSync(target)) {
      const secret = config.webhook.secrets[0];
      if (!secret) throw new CliError("no webhook secret configured to sign the delivery with (set WEBHOOK_SECRET)", 2);
      const base = values.url ?? `http://127.0.0.1:${config.server.port}`;
      const { status, text } = await sendFile(target, `${base.replace(/\/+$/, "")}/webhook`, secret);
      process.stdout.write(`${status} ${text}`);
      return status >= 200 && status < 300 ? 0 : 1;
    }
    const store = openStore(config.dataDir);
    try {
      const delivery = await store.deliveries.get(target);
      if (!delivery) throw new CliError(`no delivery "${target}" in ${config.dataDir} (and no such file)`);
      if (!(await store.deliveries.replay(target, Date.now()))) {
        throw new CliError(`delivery ${target} is ${delivery.state}; only dead letters can be replayed`);
      }
      process.stdout.write(`delivery ${target} queued again (was ${delivery.state}${delivery.lastError ? `: ${delivery.lastError}` : ""})\n`);
      return 0;
    } finally {
      await store.close();
    }
  },
};

async function sendFile(path: string, url: string, secret: string): Promise<{ status: number; text: string }> {
  const stem = path.replace(/\.(body|headers)\.json$/, "");
  const bodyPath = `${stem}.body.json`;
  const headersPath = `${stem}.headers.json`;
  const body = readFileSync(existsSync(bodyPath) ? bodyPath : path);
  const recorded = existsSync(headersPath) ? (JSON.parse(readFileSync(headersPath, "utf8")) as Record<string, string>) : {};
  const event = recorded["x-gitea-event"] ?? recorded["x-forgejo-event"] ?? recorded["x-github-event"];
  if (!event) throw new CliError(`cannot tell the event of ${path}: put its headers in ${headersPath}`, 2);
  const digest = sign(body, secret);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-gitea-event": event,
    "x-gitea-delivery": randomUUID(),
    "x-gitea-signature": digest,
  };
  const type = recorded["x-gitea-event-type"];
  if (type) headers["x-gitea-event-type"] = type;
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", headers, body });
  } catch (err) {
    throw new CliError(`cannot reach the bot at ${url}: ${(err as Error).message}`);
  }
  return { status: res.status, text: await res.text() };
}
