import type { Run, Verdict } from "../store/runs.ts";
import type { Sweep } from "../store/sweeps.ts";
import { duration, type Tiers } from "./report.ts";

/** How a recipe's verdict moved since its previous sweep. Red = anything but GREEN. */
export type Change = "newly red" | "fixed" | "still red" | "still green" | "first red" | "first green" | "pending";

export interface SweepEntry {
  repo: string;
  runId: number;
  sha: string;
  state: Run["state"];
  verdict: Verdict | null;
  durationMs: number | null;
  /** The first tier results.json marks `fail`. */
  failedTier: string | null;
  previous: Verdict | null;
  change: Change;
  /** For a red recipe: the newest GREEN sweep run before the streak, and the streak's first red commit. */
  lastGreenSha: string | null;
  firstRedSha: string | null;
}

export interface SweepReport {
  sweep: Sweep;
  finished: boolean;
  counts: Record<Verdict | "pending", number>;
  entries: SweepEntry[];
}

const red = (v: Verdict | null) => v !== null && v !== "GREEN";

/**
 * The report of one sweep (docs/design.md#scheduled-sweeps): per recipe its verdict and what changed since the
 * previous sweep. `history(repo)` gives the recipe's finished sweep runs up to this sweep,
 * newest first; the red streak is walked back to its first red commit and the last green one.
 */
export async function buildSweepReport(
  sweep: Sweep,
  runs: readonly Run[],
  history: (repo: string) => Promise<Run[]>,
  tiers: (runId: number) => Tiers | null,
): Promise<SweepReport> {
  const counts = { GREEN: 0, RED: 0, ERROR: 0, pending: 0 };
  const entries: SweepEntry[] = [];
  for (const run of runs) {
    counts[run.verdict ?? "pending"]++;
    const past = (await history(run.repo)).filter((r) => r.sweepId !== null && r.sweepId < sweep.id);
    const previous = past[0]?.verdict ?? null;
    let lastGreenSha: string | null = null;
    let firstRedSha: string | null = null;
    if (red(run.verdict)) {
      firstRedSha = run.sha;
      for (const r of past) {
        if (r.verdict === "GREEN") {
          lastGreenSha = r.sha;
          break;
        }
        firstRedSha = r.sha;
      }
    }
    const t = tiers(run.id);
    entries.push({
      repo: run.repo,
      runId: run.id,
      sha: run.sha,
      state: run.state,
      verdict: run.verdict,
      durationMs: run.startedAt !== null && run.finishedAt !== null ? run.finishedAt - run.startedAt : null,
      failedTier: t ? (Object.entries(t.tiers).find(([, v]) => v === "fail")?.[0] ?? null) : null,
      previous,
      change: changeOf(run.verdict, previous),
      lastGreenSha,
      firstRedSha,
    });
  }
  return { sweep, finished: sweep.finishedAt !== null, counts, entries };
}

function changeOf(now: Verdict | null, before: Verdict | null): Change {
  if (now === null) return "pending";
  if (before === null) return red(now) ? "first red" : "first green";
  if (red(now)) return red(before) ? "still red" : "newly red";
  return red(before) ? "fixed" : "still green";
}

const short = (sha: string | null) => (sha ? `\`${sha.slice(0, 7)}\`` : "—");

/**
 * The report as a Gitea issue body: counts, what changed, then every recipe. Recipes newly red
 * mention their maintainers, so the people who can fix them hear of it the morning after.
 */
export function sweepIssueBody(r: SweepReport, o: { sweepUrl: string; runUrl: (id: number) => string; mentions: (repo: string) => string[] }): string {
  const { counts } = r;
  const lines = [
    `Sweep [#${r.sweep.id}](${o.sweepUrl}) (${r.sweep.cause}, ${r.sweep.mode}): **${counts.GREEN} green, ${counts.RED} red, ${counts.ERROR} error** of ${r.entries.length} recipes.`,
    "",
  ];
  const group = (c: Change, title: string) => {
    const list = r.entries.filter((e) => e.change === c);
    if (list.length === 0) return;
    lines.push(`### ${title}`);
    for (const e of list) {
      const who = c === "newly red" ? o.mentions(e.repo).map((m) => `@${m}`).join(" ") : "";
      const since = e.lastGreenSha || e.firstRedSha ? ` — last green ${short(e.lastGreenSha)} → first red ${short(e.firstRedSha)}` : "";
      lines.push(`- **${e.repo}** ${e.verdict}${e.failedTier ? ` (${e.failedTier})` : ""}${since} [run](${o.runUrl(e.runId)})${who ? ` ${who}` : ""}`);
    }
    lines.push("");
  };
  group("newly red", "Newly red");
  group("first red", "Red on its first sweep");
  group("still red", "Still red");
  group("fixed", "Fixed");
  lines.push("| recipe | verdict | failed tier | duration | commit | run |", "| --- | --- | --- | --- | --- | --- |");
  for (const e of r.entries) {
    lines.push(`| ${e.repo} | ${e.verdict ?? e.state} | ${e.failedTier ?? ""} | ${e.durationMs === null ? "" : duration(e.durationMs)} | ${short(e.sha)} | [#${e.runId}](${o.runUrl(e.runId)}) |`);
  }
  for (const s of r.sweep.skipped) lines.push(`| ${s.repo} | not run: ${s.reason.replace(/[|\n]/g, " ").slice(0, 120)} | | | | |`);
  return lines.join("\n").slice(0, 60_000);
}
