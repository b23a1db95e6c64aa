import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdirSync, writeFileSync } from "node:fs";
import { freePort } from "../../test/support/free-port.ts";
import { launchRedis } from "../../test/support/redis-server.ts";
import { delimiter, join } from "node:path";

const CLI = new URL("../cli/main.ts", import.meta.url).pathname;

/** The redis-server on PATH (Debian's package puts it in /usr/bin, NixOS in the system profile), or null. */
export function redisServerPath(path = process.env.PATH ?? ""): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

export interface DemoWorkers {
  redisUrl: string;
  stop(): Promise<void>;
}

function waitForLine(child: ChildProcess, text: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(text)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`${what} exited with ${code}: ${out.slice(-500)}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await gone;
}

/**
 * A private redis-server (loopback, nothing saved, in the demo's temp dir) and `count`
 * `cc-ci-bot worker` processes, each with a directory of its own as if on its own host.
 */
export async function startDemoWorkers(dir: string, count: number, command: string[]): Promise<DemoWorkers> {
  const server = redisServerPath()!;
  const port = await freePort();
  const redisDir = join(dir, "redis");
  mkdirSync(redisDir, { recursive: true });
  const redis = await launchRedis(port, redisDir, server);
  const redisUrl = `redis://127.0.0.1:${port}`;
  const workers: ChildProcess[] = [];
  try {
    for (let i = 1; i <= count; i++) {
      const home = join(dir, `worker-${i}`);
      mkdirSync(home, { recursive: true });
      const config = join(home, "worker.yaml");
      writeFileSync(config, JSON.stringify({ redis: redisUrl, command, concurrency: 1, pools: ["default"], dataDir: join(home, "data"), name: `demo-host-${i}`, drainSeconds: 5 }));
      const child = spawn(process.execPath, ["--import", "tsx", CLI, "worker", "--config", config], { stdio: ["ignore", "pipe", "ignore"], env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" } });
      workers.push(child);
      await waitForLine(child, '"worker ready"', `worker ${i}`);
    }
  } catch (err) {
    await Promise.all([...workers, redis].map(stopChild));
    throw err;
  }
  return {
    redisUrl,
    async stop() {
      await Promise.all(workers.map(stopChild));
      await stopChild(redis);
    },
  };
}
