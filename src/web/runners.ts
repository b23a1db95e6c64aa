import type { Hono } from "hono";
import type { RunnerHost, RunnerPort } from "../runs/runner-port.ts";

export interface RunnersView {
  backend: "local" | "bullmq";
  /** "runner engine unreachable", or null. */
  problem: string | null;
  hosts: RunnerHost[];
  /** Queued runs whose pool no live runner serves. */
  waiting: Array<{ run: number; pool: string }>;
}

export interface RunnersDeps {
  runner: Pick<RunnerPort, "kind" | "problem" | "hosts">;
  waitingForPool: () => ReadonlyMap<number, string>;
}

/** What the runner hosts look like from here; an unreachable engine lists none and says so. */
export async function runnersView(d: RunnersDeps): Promise<RunnersView> {
  const hosts = d.runner.kind === "local" ? [] : await d.runner.hosts().catch(() => []);
  return { backend: d.runner.kind, problem: d.runner.problem(), hosts, waiting: [...d.waitingForPool()].map(([run, pool]) => ({ run, pool })) };
}

/** `GET /api/runners`: the workers (host, pools, concurrency, busy, last seen) and what waits for one. */
export function mountRunners(app: Hono, d: RunnersDeps): void {
  app.get("/api/runners", async (c) => c.json(await runnersView(d)));
}
