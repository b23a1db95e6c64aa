import type { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Redactor } from "../redact.ts";
import { logTail, type RunnerPort } from "../runs/runner-port.ts";
import { duration, tiersOf } from "../runs/report.ts";
import type { Run, RunStore } from "../store/runs.ts";
import { streamSSE } from "hono/streaming";
import { badgeSvg } from "./badge.ts";

const PAGE_TAIL = 256 * 1024;

/** What `cc-ci-bot status` prints for a PR: its newest run, or NONE. */
export function prVerdict(run: Run | undefined, url: (id: number) => string) {
  if (!run) return { verdict: "NONE" as const, sha: null, url: null, run: null };
  return { verdict: run.state === "finished" ? run.verdict! : ("PENDING" as const), sha: run.sha, url: url(run.id), run };
}

/** Run pages (`/runs/:id`, `/runs/:id/log`) and their JSON (`/api/runs`, `/api/prs/...`). */
export function mountRuns(app: Hono, d: { runs: RunStore; runner: RunnerPort; redact: Redactor; giteaUrl: string }): void {
  const find = async (raw: string) => {
    const run = /^\d+$/.test(raw) ? await d.runs.get(Number(raw)) : null;
    if (!run) throw new HTTPException(404, { message: `no run ${raw}` });
    return run;
  };
  const url = (id: number) => `/runs/${id}`;

  app.get("/api/runs", async (c) => c.json({ runs: await d.runs.recent(100) }));
  app.get("/api/runs/:id", async (c) => {
    const run = await find(c.req.param("id"));
    return c.json({ run, results: d.runner.results(run.id) });
  });
  app.get("/api/prs/:owner/:repo/:number", async (c) => {
    const repo = `${c.req.param("owner")}/${c.req.param("repo")}`;
    const runs = await d.runs.forPr(repo, Number(c.req.param("number")), 20);
    return c.json({ ...prVerdict(runs[0], url), history: runs });
  });

  app.get("/badge/:owner/:file{[^/]+\\.svg}", async (c) => {
    const repo = `${c.req.param("owner")}/${c.req.param("file").replace(/\.svg$/, "")}`;
    const last = await d.runs.lastForRepo(repo);
    const svg = badgeSvg(last?.verdict ?? null);
    const etag = `"${last ? `${last.id}-${last.verdict}` : "none"}"`;
    if (c.req.header("if-none-match") === etag) return c.body(null, 304);
    return c.body(svg, 200, { "content-type": "image/svg+xml; charset=utf-8", "cache-control": "max-age=60, must-revalidate", etag });
  });

  // Live tail: the log as it grows (redacted), then the verdict, as server-sent events.
  app.get("/runs/:id/events", async (c) => {
    const run = await find(c.req.param("id"));
    const size = () => d.runner.logSize(run.id);
    return streamSSE(c, async (stream) => {
      let offset = Math.max(0, size() - PAGE_TAIL);
      for (let i = 0; i < 2 * 60 * 60 * 2 && !stream.aborted; i++) {
        const now = size();
        if (now > offset) {
          const chunk = d.runner.readLog(run.id, offset, Math.min(now - offset, 256 * 1024));
          offset += chunk.length;
          await stream.writeSSE({ event: "log", data: JSON.stringify(d.redact(chunk.toString("utf8"))) });
        }
        const latest = await d.runs.get(run.id);
        if (latest?.state === "finished" && size() <= offset) {
          await stream.writeSSE({ event: "end", data: JSON.stringify({ verdict: latest.verdict, reason: latest.reason }) });
          return;
        }
        await stream.sleep(500);
      }
    });
  });

  app.get("/runs/:id/log", async (c) => {
    const run = await find(c.req.param("id"));
    const text = d.runner.readLog(run.id, 0, d.runner.logSize(run.id)).toString("utf8");
    return c.text(d.redact(text), 200, { "cache-control": "no-store" });
  });

  app.get("/runs/:id", async (c) => {
    const run = await find(c.req.param("id"));
    const log = d.redact(logTail(d.runner, run.id, PAGE_TAIL));
    const tiers = tiersOf(d.runner.results(run.id));
    const state = run.state === "finished" ? run.verdict! : run.state;
    const elapsed = run.startedAt ? (run.finishedAt ?? Date.now()) - run.startedAt : 0;
    const rows: Array<[string, string]> = [
      ["state", run.state === "finished" ? `${run.verdict} (${run.reason ?? ""})` : run.state],
      ["recipe", run.repo],
      run.sweepId === null ? ["pull request", `#${run.pr}`] : ["sweep", `#${run.sweepId} (${run.trigger}), branch ${run.ref}`],
      ["commit", run.sha],
      ["mode", run.mode === "quick" ? "quick (lower confidence)" : "full"],
      ["requested by", run.requestedBy],
      ["duration", run.startedAt ? duration(elapsed) : "not started"],
    ];
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>run #${run.id} ${esc(state)} · cc-ci-bot</title>
<style>body{font-family:system-ui,sans-serif;margin:1rem;max-width:70rem}table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;border-bottom:1px solid #ddd}pre{background:#111;color:#eee;padding:.8rem;overflow:auto;white-space:pre-wrap;word-break:break-all}</style>
</head><body>
<h1>run #${run.id}: ${esc(state)}</h1>
<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>
${tiers ? `<h2>tiers</h2><table>${Object.entries(tiers.tiers).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join("")}</table>` : ""}
<p>${run.sweepId === null ? `<a href="${esc(`${d.giteaUrl}/${run.repo}/pulls/${run.pr}`)}">back to ${esc(run.repo)}#${run.pr}</a>` : `<a href="/sweeps/${run.sweepId}">back to sweep #${run.sweepId}</a>`}</p>
<h2>log</h2><p><a href="/runs/${run.id}/log">full log</a>${log.length >= PAGE_TAIL ? " (the page shows its end)" : ""}</p>
<pre id="log">${esc(log)}</pre>
${run.state !== "finished" ? `<script>
const pre = document.getElementById("log");
const es = new EventSource("/runs/${run.id}/events");
let first = true;
es.addEventListener("log", (e) => { if (first) { pre.textContent = ""; first = false; } pre.textContent += JSON.parse(e.data); });
es.addEventListener("end", (e) => { const v = JSON.parse(e.data); document.title = "run #${run.id} " + v.verdict; document.querySelector("h1").textContent = "run #${run.id}: " + v.verdict; es.close(); });
</script>` : ""}
</body></html>`;
    return c.html(html, 200, { "cache-control": "no-store" });
  });
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);
}
