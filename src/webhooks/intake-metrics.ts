import type { Metrics } from "../metrics.ts";
import { eventLabel } from "./event-label.ts";

type Counted = Pick<Metrics, "deliveries" | "ackLatency">;
type Child = { inc(): void };

/**
 * Counts an answered delivery and its latency. prom-client hashes a label set on every inc();
 * the labelled child is looked up once per (event label, outcome) instead. Both are bounded (the
 * known event names plus `other` and `unknown`, and the outcomes intake emits), so the cache is too.
 */
export function deliveryCounter(metrics: Counted): (outcome: string, event: string | null, startedMs: number) => void {
  const children = new Map<string, Child>();
  return (outcome, event, startedMs) => {
    const label = eventLabel(event);
    const key = `${label} ${outcome}`;
    let child = children.get(key);
    if (child === undefined) {
      child = metrics.deliveries.labels({ event: label, outcome });
      children.set(key, child);
    }
    child.inc();
    metrics.ackLatency.observe((performance.now() - startedMs) / 1000);
  };
}
