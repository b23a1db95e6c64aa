import { monitorEventLoopDelay } from "node:perf_hooks";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The Prometheus registry of one bot instance. Each instance owns its registry (no global
 * default), so several bots in one test process never share counters.
 */
export function createMetrics() {
  const registry = new Registry();
  const registers = [registry];
  // docs/design.md#performance-targets: no delivery may delay another's answer by more than 100 ms; this shows whether
  // anything held the event loop that long since the last scrape (sampled every 10 ms, from
  // watchEventLoop() until its stop).
  let loopDelay: ReturnType<typeof monitorEventLoopDelay> | null = null;
  return {
    registry,
    watchEventLoop(): () => void {
      const h = (loopDelay = monitorEventLoopDelay({ resolution: 10 }));
      h.enable();
      return () => h.disable();
    },
    eventLoopDelayMax: new Gauge({
      name: "ccci_event_loop_delay_max_seconds",
      help: "The longest the event loop was held since the previous scrape",
      registers,
      collect() {
        if (!loopDelay) return;
        this.set(loopDelay.max / 1e9);
        loopDelay.reset();
      },
    }),
    deliveries: new Counter({
      name: "ccci_deliveries_total",
      help: "Webhook deliveries by event and outcome (accepted, duplicate, ignored, rejected_<status>)",
      labelNames: ["event", "outcome"] as const,
      registers,
    }),
    ackLatency: new Histogram({
      name: "ccci_ack_latency_seconds",
      help: "From the first byte of a delivery to its answer (after the store commit for 2xx)",
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    connectionsRefused: new Counter({
      name: "ccci_connections_refused_total",
      help: "Connections closed by the server's limits, by reason (timeout: a request slower than server.requestTimeoutSeconds; max_connections)",
      labelNames: ["reason"] as const,
      registers,
    }),
    handlerFailures: new Counter({
      name: "ccci_dispatcher_failures_total",
      help: "Handler failures by handler (each failed attempt)",
      labelNames: ["handler"] as const,
      registers,
    }),
    deadLetters: new Gauge({ name: "ccci_dead_letters", help: "Deliveries parked as dead letters", registers }),
    outboxBacklog: new Gauge({ name: "ccci_outbox_backlog", help: "Gitea writes waiting in the outbox", registers }),
    outboxWrites: new Counter({
      name: "ccci_outbox_writes_total",
      help: "Outbox write attempts by operation and outcome (done, retry, failed)",
      labelNames: ["op", "outcome"] as const,
      registers,
    }),
    pings: new Counter({
      name: "ccci_pings_total",
      help: "Pings to agent sessions by role and outcome (queued, delivered, undeliverable, dropped)",
      labelNames: ["role", "outcome"] as const,
      registers,
    }),
    pingLatency: new Histogram({
      name: "ccci_ping_latency_seconds",
      help: "From receipt of the delivery that caused a ping to the ping typed and submitted in the session",
      buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 30, 300],
      registers,
    }),
    alerts: new Counter({ name: "ccci_alerts_total", help: "Operator alerts by kind (force-push, ...)", labelNames: ["kind"] as const, registers }),
    runs: new Counter({ name: "ccci_runs_total", help: "Finished !testme runs by verdict", labelNames: ["verdict"] as const, registers }),
    runDuration: new Histogram({
      name: "ccci_run_duration_seconds",
      help: "Duration of finished runs",
      buckets: [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200],
      registers,
    }),
    queueDepth: new Gauge({ name: "ccci_run_queue_depth", help: "Runs waiting for capacity", registers }),
    poolQueueDepth: new Gauge({ name: "ccci_run_pool_queue_depth", help: "Runs waiting for capacity, by runner pool (pools from the configuration)", labelNames: ["pool"] as const, registers }),
    runnersLive: new Gauge({ name: "ccci_runners_live", help: "Runner hosts (cc-ci-bot worker) with a live heartbeat", registers }),
    dispatchLatency: new Histogram({
      name: "ccci_run_dispatch_seconds",
      help: "From a run being handed to its runner backend to the backend saying it runs",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers,
    }),
    supervisorActions: new Counter({
      name: "ccci_supervisor_actions_total",
      help: "Supervisor actions by reason (dead, fatal, limit, nudge, probe, stall, idle, schedule, pause, resume)",
      labelNames: ["reason"] as const,
      registers,
    }),
    sweeps: new Counter({ name: "ccci_sweeps_total", help: "Sweeps of every recipe's default branch started, by trigger (schedule, command)", labelNames: ["trigger"] as const, registers }),
    sweepRecipes: new Gauge({ name: "ccci_sweep_recipes", help: "Recipes by verdict in the last finished sweep", labelNames: ["verdict"] as const, registers }),
    sweepDuration: new Histogram({
      name: "ccci_sweep_duration_seconds",
      help: "From a sweep's start to its last run's end",
      buckets: [60, 300, 900, 1800, 3600, 7200, 14400, 28800, 57600],
      registers,
    }),
    giteaCalls: new Counter({
      name: "ccci_gitea_api_calls_total",
      help: "Gitea API calls by operation and HTTP status (0 = no answer)",
      labelNames: ["op", "status"] as const,
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
