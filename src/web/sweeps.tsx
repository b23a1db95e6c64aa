import type { FC } from "hono/jsx";
import type { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { duration } from "../runs/report.ts";
import type { SweepEntry, SweepReport } from "../runs/sweep-report.ts";
import type { SweepService } from "../runs/sweeps.ts";
import type { SweepStore } from "../store/sweeps.ts";

export interface SweepWebDeps {
  sweeps: Pick<SweepService, "report">;
  store: Pick<SweepStore, "recent">;
  giteaUrl: string;
}

const CSS = `
body{font-family:system-ui,sans-serif;margin:0;padding:1rem;color:#1f2328;background:#f6f8fa}
h1{font-size:1.3rem;margin:0 0 .6rem}h2{font-size:1.05rem;margin:1.2rem 0 .4rem}
section{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:.6rem .8rem;margin-bottom:1rem;overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}td,th{padding:.25rem .5rem;text-align:left;border-bottom:1px solid #eaeef2}
ul{margin:.2rem 0;padding-left:1.2rem}li{margin:.15rem 0;overflow-wrap:anywhere}
.GREEN{color:#1a7f37;font-weight:600}.RED{color:#cf222e;font-weight:600}.ERROR{color:#9a6700;font-weight:600}.muted{color:#656d76}`;

const short = (sha: string | null) => (sha ? sha.slice(0, 7) : "—");

const Change: FC<{ title: string; id: string; list: SweepEntry[]; streak: boolean }> = ({ title, id, list, streak }) =>
  list.length === 0 ? null : (
    <div id={id}>
      <h2>{title}</h2>
      <ul>
        {list.map((e) => (
          <li>
            <a href={`/runs/${e.runId}`}>{e.repo}</a> <span class={e.verdict ?? ""}>{e.verdict}</span>
            {e.failedTier ? ` (${e.failedTier})` : ""}
            {streak ? (
              <span class="muted">
                {" "}
                last green <code>{short(e.lastGreenSha)}</code> → first red <code>{short(e.firstRedSha)}</code>
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );

/** `/sweeps/:id`: every recipe of a sweep and what changed since the previous one (docs/design.md#scheduled-sweeps). */
export const SweepPage: FC<{ r: SweepReport; giteaUrl: string }> = ({ r, giteaUrl }) => {
  const of = (c: SweepEntry["change"]) => r.entries.filter((e) => e.change === c);
  const { counts } = r;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {r.finished ? null : <meta http-equiv="refresh" content="15" />}
        <link rel="icon" href="data:," />
        <title>sweep #{String(r.sweep.id)} · cc-ci-bot</title>
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <h1>
          sweep #{r.sweep.id}: {r.finished ? "finished" : "in progress"}
        </h1>
        <p id="summary">
          {r.sweep.cause === "schedule" ? "scheduled" : `/testall by ${r.sweep.requestedBy}`}, {r.sweep.mode}, started {new Date(r.sweep.createdAt).toISOString()}
          {r.sweep.finishedAt !== null ? `, took ${duration(r.sweep.finishedAt - r.sweep.createdAt)}` : ""}:{" "}
          <span class="GREEN">{counts.GREEN} green</span>, <span class="RED">{counts.RED} red</span>, <span class="ERROR">{counts.ERROR} error</span>
          {counts.pending > 0 ? `, ${counts.pending} pending` : ""}
        </p>
        <section id="changes">
          <Change title="Newly red" id="newly-red" list={of("newly red")} streak={true} />
          <Change title="Red on its first sweep" id="first-red" list={of("first red")} streak={false} />
          <Change title="Still red" id="still-red" list={of("still red")} streak={true} />
          <Change title="Fixed" id="fixed" list={of("fixed")} streak={false} />
          {r.entries.every((e) => e.change === "still green" || e.change === "first green" || e.change === "pending") ? <p class="muted">nothing turned red or was fixed</p> : null}
        </section>
        <section id="recipes">
          <h2>Recipes</h2>
          <table>
            <tr>
              <th>recipe</th>
              <th>verdict</th>
              <th>failed tier</th>
              <th>duration</th>
              <th>commit</th>
              <th>run</th>
            </tr>
            {r.entries.map((e) => (
              <tr>
                <td>{e.repo}</td>
                <td class={e.verdict ?? ""}>{e.verdict ?? e.state}</td>
                <td>{e.failedTier ?? ""}</td>
                <td>{e.durationMs === null ? "" : duration(e.durationMs)}</td>
                <td>
                  <a href={`${giteaUrl}/${e.repo}/commit/${e.sha}`}>
                    <code>{short(e.sha)}</code>
                  </a>
                </td>
                <td>
                  <a href={`/runs/${e.runId}`}>#{e.runId}</a>
                </td>
              </tr>
            ))}
            {r.sweep.skipped.map((s) => (
              <tr>
                <td>{s.repo}</td>
                <td class="ERROR" colspan={5}>
                  not run: {s.reason}
                </td>
              </tr>
            ))}
          </table>
        </section>
        <p>
          <a href="/">dashboard</a> · <a href={`/api/sweeps/${r.sweep.id}`}>JSON</a>
        </p>
      </body>
    </html>
  );
};

/** The sweep pages and their JSON: `/sweeps/:id`, `/api/sweeps`, `/api/sweeps/:id`. */
export function mountSweeps(app: Hono, d: SweepWebDeps): void {
  const find = async (raw: string) => {
    const r = /^\d+$/.test(raw) ? await d.sweeps.report(Number(raw)) : null;
    if (!r) throw new HTTPException(404, { message: `no sweep ${raw}` });
    return r;
  };
  app.get("/api/sweeps", async (c) => c.json({ sweeps: await d.store.recent(50) }));
  app.get("/api/sweeps/:id", async (c) => c.json(await find(c.req.param("id"))));
  app.get("/sweeps/:id", async (c) => c.html(<SweepPage r={await find(c.req.param("id"))} giteaUrl={d.giteaUrl} />, 200, { "cache-control": "no-store" }));
}
