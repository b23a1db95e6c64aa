import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { Store } from "../store/index.ts";
import type { Pings } from "../loops/pings.ts";

export interface OperatorAlertDeps {
  store: Pick<Store, "loops">;
  metrics: Pick<Metrics, "alerts">;
  clock: Clock;
  log: Logger;
  /** The orchestrator's session: told of the alert as of a force-push; null when there is none. */
  orchestratorSession: string | null;
  pings: Pick<Pings, "send">;
}

/**
 * Raises an alert about an agent session that only the operator can fix (wrong credentials, a
 * server that is down), the way a force-push alert is raised (loops/relay.ts): logged,
 * counted (`ccci_alerts_total{kind}`), stored (`/api/alerts`, the dashboard), and typed to the
 * orchestrator unless the orchestrator is the session in trouble.
 */
export function operatorAlerts(d: OperatorAlertDeps): (kind: string, session: string, message: string) => Promise<void> {
  return async (kind, session, message) => {
    const now = d.clock.now();
    d.log.error({ kind, session }, `operator alert: ${message}`);
    d.metrics.alerts.inc({ kind });
    await d.store.loops.alert(kind, session, message, now);
    if (d.orchestratorSession === null || d.orchestratorSession === session) return;
    await d.pings.send({ loop: "supervisor", role: "orchestrator", session: d.orchestratorSession, text: `[cc-ci-bot] alert: session ${session}: ${message}`, receivedAt: now });
  };
}
