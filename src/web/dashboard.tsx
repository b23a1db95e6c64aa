import type { FC } from "hono/jsx";
import type { Hono } from "hono";
import type { DeliverySummary } from "../store/deliveries.ts";
import type { Alert } from "../store/loops.ts";
import type { Ping } from "../store/pings.ts";
import type { Run } from "../store/runs.ts";
import type { SessionState, SupervisorAction } from "../store/supervisor.ts";
import { duration } from "../runs/report.ts";
import type { RunnersView } from "./runners.ts";

export interface DashboardData {
  now: number;
  queued: Run[];
  running: Run[];
  recent: Run[];
  /** `holding`: the session's oldest queued ping, waiting for a retry; the pings behind it wait for it. */
  sessions: Array<{ name: string; state: SessionState; last: SupervisorAction | undefined; holding?: Ping | undefined }>;
  loops: Array<{ name: string; repo: string; phase: string; pings: Ping[] }>;
  deliveries: DeliverySummary[];
  dead: DeliverySummary[];
  alerts: Alert[];
  failedPings: Ping[];
  runners?: RunnersView;
  lastSweep?: { id: number; createdAt: number; finished: boolean; counts: Record<"GREEN" | "RED" | "ERROR" | "pending", number>; newlyRed: string[] } | null;
}

const CSS = `
body{font-family:system-ui,sans-serif;margin:0;padding:1rem;color:#1f2328;background:#f6f8fa}
h1{font-size:1.3rem;margin:0 0 1rem}h2{font-size:1.05rem;margin:1.2rem 0 .4rem}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.6rem .8rem;margin-bottom:1rem;overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{padding:.25rem .5rem;text-align:left;border-bottom:1px solid #eaeef2;white-space:nowrap}
.GREEN{color:#1a7f37;font-weight:600}.RED{color:#cf222e;font-weight:600}.ERROR{color:#9a6700;font-weight:600}
.muted{color:#656d76}.grid{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(min(100%,28rem),1fr))}
input,button{font:inherit}`;

const when = (now: number, t: number | null) => (t === null ? "" : `${duration(now - t)} ago`);
const short = (sha: string) => sha.slice(0, 7);

const RunRow: FC<{ run: Run; now: number; extra: string }> = ({ run, now, extra }) => (
  <tr>
    <td>
      <a href={`/runs/${run.id}`}>#{run.id}</a>
    </td>
    <td>{run.sweepId === null ? `${run.repo}#${run.pr}` : `${run.repo}@${run.ref}`}</td>
    <td>
      <code>{short(run.sha)}</code>
    </td>
    <td>{run.mode}</td>
    <td class={run.verdict ?? ""}>{run.state === "finished" ? run.verdict : run.state}</td>
    <td class="muted">{extra || when(now, run.createdAt)}</td>
  </tr>
);

const Empty: FC<{ what: string }> = ({ what }) => <p class="muted">{what}</p>;

/** Runner hosts (bullmq): each worker's pools and slots, or why none can be seen. */
const Runners: FC<{ r: RunnersView; now: number }> = ({ r, now }) => (
  <section id="runners">
    <h2>Runners</h2>
    {r.problem ? <p class="ERROR">{r.problem}: runs wait, running runs go on and report once it is back</p> : null}
    {r.hosts.length === 0 ? (
      <Empty what={r.problem ? "no runner can be seen" : "no runner host is connected"} />
    ) : (
      <table>
        <tr>
          <th>host</th>
          <th>pools</th>
          <th>busy</th>
          <th>last seen</th>
        </tr>
        {r.hosts.map((h) => (
          <tr>
            <td>{h.host}</td>
            <td>{h.pools.join(", ")}</td>
            <td>
              {h.busy} of {h.concurrency}
            </td>
            <td class="muted">{when(now, h.lastSeenMs)}</td>
          </tr>
        ))}
      </table>
    )}
  </section>
);

/** The operator's page (docs/design.md#web-api-and-cli): runs, sessions, loops, deliveries, dead letters, alerts. */
export const Dashboard: FC<{ d: DashboardData }> = ({ d }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta http-equiv="refresh" content="10" />
      <link rel="icon" href="data:," />
      <title>cc-ci-bot</title>
      <style dangerouslySetInnerHTML={{ __html: CSS }} />
    </head>
    <body>
      <h1>cc-ci-bot</h1>
      <div class="grid">
        <section id="queue">
          <h2>Queue</h2>
          {d.queued.length === 0 ? (
            <Empty what="nothing waiting" />
          ) : (
            <table>
              {d.queued.map((r, i) => {
                const pool = d.runners?.waiting.find((w) => w.run === r.id)?.pool;
                return <RunRow run={r} now={d.now} extra={pool ? `waiting for a runner in pool ${pool}` : `queued (position ${i + 1})`} />;
              })}
            </table>
          )}
        </section>
        <section id="running">
          <h2>Running</h2>
          {d.running.length === 0 ? (
            <Empty what="no run in progress" />
          ) : (
            <table>
              {d.running.map((r) => (
                <RunRow run={r} now={d.now} extra={`running for ${duration(d.now - (r.startedAt ?? d.now))}`} />
              ))}
            </table>
          )}
        </section>
      </div>
      {d.runners && d.runners.backend !== "local" ? <Runners r={d.runners} now={d.now} /> : null}
      {d.lastSweep ? (
        <section id="last-sweep">
          <h2>
            Last sweep: <a href={`/sweeps/${d.lastSweep.id}`}>#{d.lastSweep.id}</a> <span class="muted">{when(d.now, d.lastSweep.createdAt)}</span>
          </h2>
          <p>
            <span class="GREEN">{d.lastSweep.counts.GREEN} green</span>, <span class="RED">{d.lastSweep.counts.RED} red</span>, <span class="ERROR">{d.lastSweep.counts.ERROR} error</span>
            {d.lastSweep.finished ? "" : `, ${d.lastSweep.counts.pending} pending`}
            {d.lastSweep.newlyRed.length > 0 ? ` · newly red: ${d.lastSweep.newlyRed.join(", ")}` : ""}
          </p>
        </section>
      ) : null}
      <section id="recent">
        <h2>Recent runs</h2>
        {d.recent.length === 0 ? (
          <Empty what="no runs yet" />
        ) : (
          <table>
            {d.recent.map((r) => (
              <RunRow run={r} now={d.now} extra={r.reason ?? ""} />
            ))}
          </table>
        )}
      </section>
      <div class="grid">
        <section id="sessions">
          <h2>Sessions</h2>
          {d.sessions.length === 0 ? (
            <Empty what="no supervised sessions" />
          ) : (
            <table>
              {d.sessions.map((s) => (
                <tr>
                  <td>{s.name}</td>
                  <td class={s.state.limit ? "ERROR" : ""}>{s.state.paused ? "paused" : s.state.limit ? `limit window until ${new Date(s.state.limit.until).toISOString()}` : "supervised"}</td>
                  <td class="muted">{s.last ? `${s.last.reason}: ${s.last.detail} (${when(d.now, s.last.createdAt)})` : "no action yet"}</td>
                  <td class={s.holding ? "ERROR" : "muted"}>{s.holding ? `ping #${s.holding.seq} holds the queue: ${s.holding.lastError ?? "waiting"} (${s.holding.attempts} tries)` : ""}</td>
                </tr>
              ))}
            </table>
          )}
        </section>
        <section id="loops">
          <h2>Loops</h2>
          {d.loops.length === 0 ? (
            <Empty what="no loops configured" />
          ) : (
            <table>
              {d.loops.map((l) => (
                <tr>
                  <td>{l.name}</td>
                  <td>{l.repo}</td>
                  <td>{l.phase}</td>
                  <td class="muted">{l.pings[0] ? `last ping to ${l.pings[0].role}: ${l.pings[0].state}` : "no pings yet"}</td>
                </tr>
              ))}
            </table>
          )}
        </section>
      </div>
      <div class="grid">
        <section id="deliveries">
          <h2>Recent deliveries</h2>
          <table>
            {d.deliveries.map((x) => (
              <tr>
                <td>{x.event}</td>
                <td>{x.action ?? ""}</td>
                <td>{x.repo ?? ""}</td>
                <td class={x.state === "dead" ? "RED" : ""}>{x.waitingFor ? `waiting for ${x.waitingFor}` : x.state}</td>
                <td class="muted">{x.reason ?? when(d.now, x.receivedAt)}</td>
              </tr>
            ))}
          </table>
        </section>
        <section id="alerts">
          <h2>Alerts and dead letters</h2>
          {d.alerts.length === 0 && d.dead.length === 0 && d.failedPings.length === 0 ? <Empty what="nothing needs attention" /> : null}
          <table>
            {d.alerts.map((a) => (
              <tr>
                <td class="ERROR">{a.kind}</td>
                <td>{a.message}</td>
                <td class="muted">{when(d.now, a.createdAt)}</td>
              </tr>
            ))}
            {d.failedPings.map((p) => (
              <tr>
                <td class="ERROR">ping not delivered</td>
                <td>
                  {p.loop} {p.role}: {p.lastError ?? ""}
                </td>
                <td class="muted">{when(d.now, p.createdAt)}</td>
              </tr>
            ))}
            {d.dead.map((x) => (
              <tr>
                <td class="RED">dead letter</td>
                <td>
                  {x.event} {x.id}: {x.lastError ?? ""}
                </td>
                <td>
                  <button type="button" data-replay={x.id}>
                    replay
                  </button>
                </td>
              </tr>
            ))}
          </table>
          {d.dead.length > 0 ? (
            <p>
              <label>
                operator token <input id="token" type="password" autocomplete="off" />
              </label>
            </p>
          ) : null}
        </section>
      </div>
      <script dangerouslySetInnerHTML={{ __html: REPLAY_JS }} />
    </body>
  </html>
);

const REPLAY_JS = `document.querySelectorAll("[data-replay]").forEach((b) => b.addEventListener("click", async () => {
  const r = await fetch("/api/deliveries/" + encodeURIComponent(b.dataset.replay) + "/replay", { method: "POST", headers: { authorization: "Bearer " + document.getElementById("token").value } });
  b.textContent = r.ok ? "queued" : "refused (" + r.status + ")";
}));`;

/** `GET /`: the dashboard, from the same data as /api. */
export function mountDashboard(app: Hono, load: () => Promise<DashboardData>): void {
  app.get("/", async (c) => c.html(<Dashboard d={await load()} />, 200, { "cache-control": "no-store" }));
}
