// One server under test, in its own process so that it has a core of its own:
//   node bench/intake-server.mjs bot|bare|octokit <secret>
// Plain JavaScript, and the bot as it is deployed: the built modules in dist/ (npm run build),
// not the TypeScript sources through a loader.
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Webhooks, createNodeMiddleware } from "@octokit/webhooks";
import { logStream } from "../dist/log.js";
import { parseConfig } from "../dist/config/load.js";
import { startBot } from "../dist/main.js";

const [kind, secret = "bench-secret"] = process.argv.slice(2);

async function listen(handler) {
  const server = createServer(handler);
  await new Promise((r) => server.listen(0, "127.0.0.1", () => r()));
  return server.address().port;
}

let port;
let stop = async () => {};
if (kind === "bare") {
  port = await listen((req, res) => {
    req.on("data", () => {});
    req.on("end", () => {
      res.writeHead(202, { "content-type": "text/plain" });
      res.end("accepted\n");
    });
  });
} else if (kind === "octokit") {
  const webhooks = new Webhooks({ secret });
  webhooks.onAny(() => {});
  port = await listen(createNodeMiddleware(webhooks, { path: "/webhook" }));
} else if (kind === "bot") {
  process.setSourceMapsEnabled(true); // as bin/cc-ci-bot.js runs it
  const dir = mkdtempSync(join(tmpdir(), "ccci-bench-"));
  const config = parseConfig({
    gitea: { url: "http://127.0.0.1:9", token: "bench-token", botUser: "ci-bot" },
    webhook: { secrets: [secret] },
    server: { port: 0, host: "127.0.0.1" },
    dataDir: dir,
    testme: { repos: ["recipes/*"] },
    // BENCH_SYNC=normal measures the store without an fsync per commit.
    store: { synchronous: process.env.BENCH_SYNC === "normal" ? "normal" : "full" },
  });
  // The production log level and log stream, written to a file as a deployment would.
  const bot = await startBot({ config, handlers: () => [], logDestination: logStream(join(dir, "bot.log")) });
  port = bot.port;
  // Leave nothing behind: a stopped bot's files are deleted, not written back to disk later
  // while the next measurement runs.
  stop = async () => {
    await bot.stop();
    rmSync(dir, { recursive: true, force: true });
  };
} else {
  throw new Error(`unknown server kind ${kind}`);
}
process.stdout.write(`READY ${port}\n`);
// A full collection on request (bench/intake-load.ts collectGarbage), when started with --expose-gc.
const gc = globalThis.gc;
if (gc) {
  process.on("SIGUSR2", () => {
    gc();
    process.stdout.write("COLLECTED\n");
  });
}
for (const signal of ["SIGTERM", "SIGINT"]) process.once(signal, () => void stop().finally(() => process.exit(0)));
