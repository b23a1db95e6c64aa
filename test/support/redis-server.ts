import { spawn, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { freePort } from "./free-port.ts";
import { tempDir } from "./temp.ts";

export const REDIS_SERVER = "/usr/bin/redis-server";

export interface RedisServer {
  url: string;
  port: number;
  /** A client of the test's own (closed with the server). */
  client: Redis;
  /** SIGSTOP / SIGCONT: Redis unreachable, its data kept. */
  pause(): void;
  resume(): void;
  /** Kills the server and starts an empty one on the same port (a replaced Redis). */
  replace(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server on a loopback port, resolved once it accepts connections. */
export function launchRedis(port: number, dir: string, server = REDIS_SERVER): Promise<ChildProcess> {
  // Not daemonized, nothing saved: the test owns it and it leaves nothing behind.
  const child = spawn(server, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--daemonize", "no", "--maxmemory-policy", "noeviction"], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("Ready to accept connections")) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
}

/** A real redis-server of the test's own, on a free loopback port, in a temp dir. */
export async function startRedis(): Promise<RedisServer> {
  const dir = tempDir("ccci-redis-");
  const port = await freePort();
  let child = await launchRedis(port, dir);
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
  client.on("error", () => {});
  const kill = async (c: ChildProcess) => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once("exit", r));
    c.kill("SIGCONT");
    c.kill("SIGKILL");
    await gone;
  };
  return {
    url,
    port,
    client,
    pause: () => child.kill("SIGSTOP"),
    resume: () => child.kill("SIGCONT"),
    async replace() {
      await kill(child);
      child = await launchRedis(port, dir);
    },
    async stop() {
      client.disconnect();
      await kill(child);
    },
  };
}
