// npm run bench:startup [-- --runs 20 --bin /path/to/installed/cc-ci-bot]
//
// Start-up of the CLI from the built package against the same CLI compiled at start by tsx
// (how bin/cc-ci-bot.js ran before the build), side by side: `--help` wall time in alternating
// runs (so a busy machine slows both alike), then `serve`'s time to its listening line and its
// resident memory once listening. The built side is `node bin/cc-ci-bot.js` (run `npm run build`
// first), or --bin: an installed cc-ci-bot, e.g. from `npm install -g --prefix DIR ./cc-ci-bot-*.tgz`.
import { spawn, spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { tempDir } from "../test/support/bot.ts";
import { cleanEnv } from "../test/support/child-bot.ts";
import { writeBotConfig } from "./bot-config.ts";

const { values } = parseArgs({ options: { runs: { type: "string", default: "20" }, bin: { type: "string" } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number above 0, got ${values.runs}`);
const root = new URL("..", import.meta.url).pathname;
if (!values.bin && !existsSync(join(root, "dist/cli/main.js"))) throw new Error("no dist/: run npm run build first, or give --bin");

const sides = {
  tsx: [process.execPath, join(root, "test/support/cc-ci-bot-src.mjs")],
  built: values.bin ? [values.bin] : [process.execPath, join(root, "bin/cc-ci-bot.js")],
} as const;
type Side = keyof typeof sides;

function helpOnce(side: Side): number {
  const [cmd, ...args] = sides[side];
  const t = performance.now();
  const r = spawnSync(cmd!, [...args, "--help"], { env: cleanEnv(), stdio: ["ignore", "ignore", "inherit"] });
  if (r.status !== 0) throw new Error(`${side} --help exited ${r.status}`);
  return performance.now() - t;
}

async function serveOnce(side: Side): Promise<{ ms: number; rssMb: number }> {
  const dir = tempDir("ccci-bench-startup-");
  try {
    const config = writeBotConfig(dir, "http://127.0.0.1:9", "bench-startup-secret", {});
    const [cmd, ...args] = sides[side];
    const t = performance.now();
    const child = spawn(cmd!, [...args, "serve", "--config", config], { env: cleanEnv(), stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on("line", (line) => line.includes('"cc-ci-bot listening"') && resolve());
      child.once("exit", (code) => reject(new Error(`${side} serve exited ${code} before listening`)));
    });
    const ms = performance.now() - t;
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    return { ms, rssMb: Number(rss?.[1] ?? 0) / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(0).padStart(5)} ms`;

console.log(`startup benchmark: ${runs} runs each, alternating, ${cpus().length} cores (${cpus()[0]?.model.trim()}), node ${process.version}`);
console.log(`built: ${sides.built.join(" ")}`);
const help: Record<Side, number[]> = { tsx: [], built: [] };
helpOnce("tsx");
helpOnce("built"); // warm the file cache for both
for (let i = 0; i < runs; i++) for (const side of ["tsx", "built"] as const) help[side].push(helpOnce(side));
for (const side of ["tsx", "built"] as const) {
  console.log(`--help  ${side.padEnd(5)}  median ${fmt(median(help[side]))}   min ${fmt(Math.min(...help[side]))}   max ${fmt(Math.max(...help[side]))}`);
}
console.log(`--help  ratio built/tsx ${(median(help.built) / median(help.tsx)).toFixed(2)}   (target: built well under 500 ms)`);

const serveRuns = Math.min(runs, 5);
const serve: Record<Side, Array<{ ms: number; rssMb: number }>> = { tsx: [], built: [] };
for (let i = 0; i < serveRuns; i++) for (const side of ["tsx", "built"] as const) serve[side].push(await serveOnce(side));
for (const side of ["tsx", "built"] as const) {
  console.log(`serve   ${side.padEnd(5)}  to listening median ${fmt(median(serve[side].map((s) => s.ms)))}   RSS when listening median ${median(serve[side].map((s) => s.rssMb)).toFixed(0)} MB`);
}
console.log(
  `serve   ratio built/tsx  time ${(median(serve.built.map((s) => s.ms)) / median(serve.tsx.map((s) => s.ms))).toFixed(2)}   RSS ${(median(serve.built.map((s) => s.rssMb)) / median(serve.tsx.map((s) => s.rssMb))).toFixed(2)}`,
);
