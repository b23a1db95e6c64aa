// npm run bench:intake [-- --duration 10 --connections 50]
//
// Side by side in one run, on the same signed ~6 KB push deliveries with distinct ids:
//   bare     node:http that reads the body and answers 202 (the ceiling)
//   octokit  @octokit/webhooks createNodeMiddleware verifying X-Hub-Signature-256 (stores nothing)
//   bot      cc-ci-bot: verify, parse, validate, persist to SQLite (group commit), answer 202
// then the bot alone at a fixed 200 req/s for its ack latency. Each server runs in its own
// process; the load generator (autocannon) runs in this one.
import { spawn, type ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { deliveryFactory } from "./payloads.ts";

const { values } = parseArgs({
  options: { duration: { type: "string", default: "10" }, connections: { type: "string", default: "50" } },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const SECRET = "bench-webhook-secret";

async function startServer(kind: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", new URL("./intake-server.ts", import.meta.url).pathname, kind, SECRET], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /^READY (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { child, port };
}

interface Result {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

async function load(port: number, seconds: number, rate?: number): Promise<Result> {
  const next = deliveryFactory(SECRET);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: rate ? 4 : connections,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    requests: [
      {
        method: "POST",
        path: "/webhook",
        setupRequest: (req: autocannon.Request) => {
          const d = next();
          return {
            ...req,
            body: d.body,
            headers: {
              "content-type": "application/json",
              "x-github-event": "push",
              "x-github-delivery": d.id,
              "x-gitea-event": "push",
              "x-gitea-delivery": d.id,
              "x-gitea-signature": d.signature,
              "x-hub-signature-256": `sha256=${d.signature}`,
            },
          };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function measure(kind: string): Promise<Result> {
  const { child, port } = await startServer(kind);
  try {
    await load(port, 1); // warm-up: JIT, connection pool, SQLite pages
    return await load(port, duration);
  } finally {
    child.kill("SIGTERM");
  }
}

const fmt = (r: Result) =>
  `${r.rps.toFixed(0).padStart(8)} req/s   p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(6)} ms   non-2xx ${r.non2xx}   errors ${r.errors}`;

console.log(`intake benchmark: ${duration} s per server, ${connections} connections, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), node ${process.version}`);
const bare = await measure("bare");
console.log(`bare     ${fmt(bare)}`);
const octokit = await measure("octokit");
console.log(`octokit  ${fmt(octokit)}`);
const bot = await measure("bot");
console.log(`bot      ${fmt(bot)}`);
console.log(`ratio bot/bare    ${(bot.rps / bare.rps).toFixed(2)}   (target >= 0.50)`);
console.log(`ratio bot/octokit ${(bot.rps / octokit.rps).toFixed(2)}   (target >= 1.00)`);

const { child, port } = await startServer("bot");
try {
  await load(port, 1, 200);
  const fixed = await load(port, duration, 200);
  console.log(`bot at 200 req/s ${fmt(fixed)}   (target p99 < 5 ms)`);
} finally {
  child.kill("SIGTERM");
}
