// What bench:intake and bench:intake:profile share: starting one server under test in its own
// process, the closed-loop load on it, and reading the CPU its threads used.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import autocannon from "autocannon";
import { deliveryFactory } from "./payloads.ts";

export const SECRET = "bench-webhook-secret";

/** Microseconds per clock tick, the unit of /proc CPU times. */
const TICK_US = (() => {
  try {
    return 1e6 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  } catch {
    return NaN;
  }
})();

/**
 * CPU time (µs) a process has used on its main thread (its event loop) and on all its other
 * threads (libuv pool, SQLite writer, V8's compiler and GC helpers), from Linux /proc: the
 * kernel's own account, so time spent waiting for a core on a busy machine is not counted.
 */
export function threadCpu(pid: number): { main: number; others: number } | null {
  try {
    let main = 0;
    let others = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const used = (Number(fields[11]) + Number(fields[12])) * TICK_US; // utime + stime
      if (Number(tid) === pid) main += used;
      else others += used;
    }
    return Number.isFinite(main) ? { main, others } : null;
  } catch {
    return null; // not Linux
  }
}

/**
 * Starts `bench/intake-server.mjs <kind>` in its own process, with extra node flags; resolves once
 * it listens. Every server runs as plain JavaScript and the bot as it is deployed, from its built
 * modules (dist/, npm run build): a TypeScript loader costs the bot per call what it does not
 * cost the others (docs/benchmarks.md#intake-as-deployed).
 */
export async function startServer(kind: string, nodeFlags: string[] = []): Promise<{ child: ChildProcess; port: number; lines: Interface }> {
  if (!existsSync(new URL("../dist/main.js", import.meta.url))) throw new Error("no dist/: run npm run build first (npm run bench:intake does)");
  const child = spawn(process.execPath, [...nodeFlags, new URL("./intake-server.mjs", import.meta.url).pathname, kind, SECRET], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on("line", (line) => {
      const m = /^READY (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return { child, port, lines };
}

/**
 * Has a server started with `--expose-gc` run a full garbage collection (SIGUSR2), and resolves
 * once it has: what it holds then is what it keeps, whatever phase of the heap's growth and
 * collection the moment would otherwise catch.
 */
export async function collectGarbage(server: { child: ChildProcess; lines: Interface }): Promise<void> {
  const done = new Promise<void>((resolve) => {
    const seen = (line: string) => {
      if (line !== "COLLECTED") return;
      server.lines.off("line", seen);
      resolve();
    };
    server.lines.on("line", seen);
  });
  server.child.kill("SIGUSR2");
  await done;
}

export interface Result {
  rps: number;
  total: number;
  /** CPU µs per request: the server's event loop, its other threads, and this load generator. */
  cpu?: { main: number; others: number; loadgen: number };
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/**
 * Closed-loop load for `seconds`, or until `amount` requests have been answered: signed ~7.9 KB
 * push deliveries with distinct ids, headers for both Gitea and octokit.
 */
export async function load(port: number, connections: number, until: { seconds: number } | { amount: number }): Promise<Result> {
  const next = deliveryFactory(SECRET);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    ...("seconds" in until ? { duration: until.seconds } : { amount: until.amount }),
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
    total: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** Resident memory of a process, in bytes (Linux /proc, else ps). */
export function rss(pid: number): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    if (kb) return Number(kb) * 1024;
  } catch {
    // not Linux
  }
  return Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" }).trim()) * 1024;
}
