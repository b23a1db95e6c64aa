import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Store } from "../store/index.ts";
import type { DeliveryState } from "../store/deliveries.ts";
import type { Ping } from "../store/pings.ts";
import type { LoopConfig } from "../config/schema.ts";
import type { Phases } from "../loops/phases.ts";
import { headCursor } from "../loops/relay.ts";
import type { RunnerPort } from "../runs/runner-port.ts";
import type { Redactor } from "../redact.ts";
import { mountRuns } from "./runs.ts";
import { mountRunners, runnersView } from "./runners.ts";
import type { Supervisor } from "../supervisor/supervisor.ts";
import type { JobService } from "../jobs/service.ts";
import { mountDashboard } from "./dashboard.tsx";
import { timingSafeEqual } from "node:crypto";
import type { SweepService } from "../runs/sweeps.ts";
import { mountSweeps } from "./sweeps.tsx";

export interface WebDeps {
  store: Store;
  metrics: Metrics;
  ready: () => boolean;
  log: Logger;
  loops: readonly LoopConfig[];
  phases: Pick<Phases, "state">;
  runner: RunnerPort;
  /** The run queue's view of pools: what waits for which pool, every configured pool, a recipe's pool. */
  runPools: { waitingForPool(): ReadonlyMap<number, string>; pools: readonly string[]; poolOf(repo: string): string };
  redact: Redactor;
  supervisor: Pick<Supervisor, "names" | "setPaused">;
  operatorToken: string | undefined;
  jobs: JobService;
  giteaUrl: string;
  sweeps: Pick<SweepService, "report">;
}

const STATES: readonly DeliveryState[] = ["pending", "done", "dead", "ignored"];

/** Everything served over HTTP except POST /webhook (which runs on the raw request for speed). */
export function createWebApp(deps: WebDeps): Hono {
  const app = new Hono();
  const { store, metrics } = deps;
  const runnersDeps = { runner: deps.runner, waitingForPool: () => deps.runPools.waitingForPool() };

  app.get("/healthz", (c) => c.text("ok\n"));
  // Browsers ask for it on every page (the badge, an SVG, cannot say otherwise): no icon, no error.
  app.get("/favicon.ico", (c) => c.body(null, 204, { "cache-control": "max-age=86400" }));
  app.get("/readyz", async (c) => {
    const ok = deps.ready() && (await store.writable());
    return c.text(ok ? "ready\n" : "not ready: store not writable or still starting\n", ok ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    metrics.outboxBacklog.set(await store.outbox.backlog());
    metrics.deadLetters.set(await store.deliveries.count("dead"));
    const queued = await store.runs.queued();
    metrics.queueDepth.set(queued.length);
    for (const pool of deps.runPools.pools) metrics.poolQueueDepth.set({ pool }, queued.filter((r) => deps.runPools.poolOf(r.repo) === pool).length);
    const runners = await runnersView(runnersDeps);
    metrics.runnersLive.set(runners.hosts.length);
    return c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType });
  });

  app.get("/api/deliveries", async (c) => {
    const state = c.req.query("state");
    if (state !== undefined && !STATES.includes(state as DeliveryState)) {
      throw new HTTPException(400, { message: `state must be one of ${STATES.join(", ")}` });
    }
    const limit = boundedInt(c.req.query("limit"), 50, 500);
    return c.json({ deliveries: await store.deliveries.list({ state: state as DeliveryState | undefined, limit }) });
  });
  app.get("/api/deliveries/:id", async (c) => {
    const d = await store.deliveries.get(c.req.param("id"));
    if (!d) throw new HTTPException(404, { message: `no delivery ${c.req.param("id")}` });
    return c.json({ delivery: d, handlers: await store.deliveries.handlerResults(d.seq) });
  });
  app.get("/api/loops", async (c) => {
    const loops = await Promise.all(
      deps.loops.map(async (l) => {
        const st = await deps.phases.state(l);
        return {
          name: l.name,
          repo: l.repo,
          branch: l.branch,
          head: await store.cursors.get(headCursor(l)),
          phase: { index: st.index, id: l.phases[st.index]?.id ?? null, of: l.phases.length, complete: st.complete },
          transitions: await store.loops.transitions(l.name, 10),
          pings: await store.pings.recent(20, l.name),
        };
      }),
    );
    return c.json({ loops });
  });
  app.get("/api/pings", async (c) => c.json({ pings: await store.pings.recent(boundedInt(c.req.query("limit"), 50, 500)) }));
  app.get("/api/alerts", async (c) => c.json({ alerts: await store.loops.alerts(boundedInt(c.req.query("limit"), 50, 500)) }));
  app.get("/api/outbox", async (c) => c.json({ outbox: await store.outbox.list(boundedInt(c.req.query("limit"), 50, 500)) }));

  mountRuns(app, { runs: store.runs, runner: deps.runner, redact: deps.redact, giteaUrl: deps.giteaUrl });
  mountRunners(app, runnersDeps);

  const lastSweep = () => lastSweepOf(deps);
  mountSweeps(app, { sweeps: deps.sweeps, store: store.sweeps, giteaUrl: deps.giteaUrl });

  mountDashboard(app, async () => {
    const holding = await holdingBySession(store);
    const sessions = await Promise.all(
      deps.supervisor.names().map(async (name) => ({ name, state: await store.supervisor.state(name), last: (await store.supervisor.actions(1, name))[0], holding: holding.get(name) })),
    );
    const loops = await Promise.all(
      deps.loops.map(async (l) => {
        const st = await deps.phases.state(l);
        const phase = l.phases.length === 0 ? "no phases" : st.complete ? "sequence complete" : `phase ${l.phases[st.index]?.id} (${st.index + 1} of ${l.phases.length})`;
        return { name: l.name, repo: l.repo, phase, pings: await store.pings.recent(1, l.name) };
      }),
    );
    return {
      now: Date.now(),
      queued: await store.runs.queued(),
      running: await store.runs.running(),
      recent: (await store.runs.recent(15)).filter((r) => r.state === "finished"),
      sessions,
      loops,
      deliveries: await store.deliveries.list({ limit: 15 }),
      dead: await store.deliveries.list({ state: "dead", limit: 15 }),
      alerts: await store.loops.alerts(10),
      failedPings: (await store.pings.recent(50)).filter((p) => p.state === "undeliverable").slice(0, 10),
      lastSweep: await lastSweep(),
      runners: await runnersView(runnersDeps),
    };
  });
  app.post("/api/deliveries/:id/replay", async (c) => {
    requireOperator(c.req.header("authorization"), deps.operatorToken);
    if (!(await store.deliveries.replay(c.req.param("id"), Date.now()))) throw new HTTPException(409, { message: `delivery ${c.req.param("id")} is not a dead letter` });
    return c.json({ replayed: c.req.param("id") });
  });
  app.get("/api/jobs", async (c) => c.json({ jobs: await store.jobs.recent(50) }));
  app.get("/jobs/:id", async (c) => {
    const job = /^\d+$/.test(c.req.param("id")) ? await store.jobs.get(Number(c.req.param("id"))) : null;
    if (!job) throw new HTTPException(404, { message: `no job ${c.req.param("id")}` });
    const head = `job #${job.id} ${job.kind} ${job.args.join(" ")} on ${job.repo}#${job.pr} by ${job.requestedBy}: ${job.state === "finished" ? `${job.outcome} (exit ${job.exitCode ?? "?"})` : "running"}${job.prUrl ? `\nopened ${job.prUrl}` : ""}`;
    return c.text(`${head}\n\n${deps.jobs.tail(job.id, 4 * 1024 * 1024)}`, 200, { "cache-control": "no-store" });
  });
  app.get("/api/sessions", async (c) => {
    const holding = await holdingBySession(store);
    const sessions = await Promise.all(
      deps.supervisor.names().map(async (name) => ({ name, state: await store.supervisor.state(name), actions: await store.supervisor.actions(10, name), holding: holding.get(name) ?? null })),
    );
    return c.json({ sessions });
  });
  app.post("/api/sessions/:name/:verb{pause|resume}", async (c) => {
    requireOperator(c.req.header("authorization"), deps.operatorToken);
    const name = c.req.param("name");
    if (!(await deps.supervisor.setPaused(name, c.req.param("verb") === "pause"))) throw new HTTPException(404, { message: `no supervised session ${name}` });
    return c.json({ session: name, paused: c.req.param("verb") === "pause" });
  });

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    if (err instanceof HTTPException) return c.json({ error: err.message }, err.status);
    deps.log.error({ err, path: c.req.path }, "request failed");
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}

/** The newest sweep's counts for the dashboard, or null before the first. */
async function lastSweepOf(deps: WebDeps) {
  const last = (await deps.store.sweeps.recent(1))[0];
  const r = last ? await deps.sweeps.report(last.id) : null;
  return r ? { id: r.sweep.id, createdAt: r.sweep.createdAt, finished: r.finished, counts: r.counts, newlyRed: r.entries.filter((e) => e.change === "newly red").map((e) => e.repo) } : null;
}

/** Operator calls need `Authorization: Bearer <server.operatorToken>`; none configured, none pass. */
function requireOperator(header: string | undefined, token: string | undefined): void {
  if (!token) throw new HTTPException(403, { message: "operator calls are disabled: set server.operatorToken" });
  const given = Buffer.from((header ?? "").replace(/^Bearer\s+/i, ""));
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) throw new HTTPException(401, { message: "operator token required (Authorization: Bearer ...)" });
}

function boundedInt(raw: string | undefined, fallback: number, max: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < 1) return fallback;
  return Math.min(n, max);
}

/** Per session, the queued ping that holds the ones behind it (tried, waiting for a retry). */
async function holdingBySession(store: Pick<Store, "pings">): Promise<Map<string, Ping>> {
  return new Map((await store.pings.holding()).filter((p) => p.session !== null).map((p) => [p.session!, p]));
}
