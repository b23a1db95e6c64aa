import type { Run, Verdict } from "../store/runs.ts";
import type { ExitRecord } from "./executor.ts";

export const RESULT_MARKER = "<!-- cc-ci-bot:testme-result -->";
const MAX_COMMENT = 60_000;
const TAIL_LINES = 40;
const TAIL_BYTES = 8_000;

export interface Outcome {
  verdict: Verdict;
  /** Why, in a few words: "exit 0", "timed out after 60m", "superseded by 1a2b3c4". */
  reason: string;
  exitCode: number | null;
}

export interface Tiers {
  level?: unknown;
  tiers: Record<string, string>;
}

/** Exit status is the truth (docs/design.md#testme-runs): 0 GREEN, non-zero RED, anything else ERROR. */
export function outcomeOf(exit: ExitRecord | null, timeoutMs: number, cancelReason: string | null): Outcome {
  // A cancel can reach the wrapper before it is ready to record it.
  if (exit === null) return { verdict: "ERROR", reason: cancelReason ?? "the run's process was lost", exitCode: null };
  if (exit.spawnError) return { verdict: "ERROR", reason: `the runner could not start: ${exit.spawnError}`, exitCode: null };
  if (exit.timedOut) return { verdict: "ERROR", reason: `timed out after ${duration(timeoutMs)}`, exitCode: exit.exitCode ?? null };
  if (exit.cancelled) return { verdict: "ERROR", reason: cancelReason ?? "cancelled", exitCode: exit.exitCode ?? null };
  if (exit.exitCode === 0) return { verdict: "GREEN", reason: "exit 0", exitCode: 0 };
  if (typeof exit.exitCode === "number") return { verdict: "RED", reason: `exit ${exit.exitCode}`, exitCode: exit.exitCode };
  return { verdict: "ERROR", reason: `killed by ${exit.signal ?? "a signal"}`, exitCode: null };
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`.replace(/ 0s$/, "");
  return `${Math.floor(m / 60)}h ${m % 60}m`.replace(/ 0m$/, "");
}

/** results.json, if it has the expected shape; shown, never deciding the verdict. */
export function tiersOf(results: unknown): Tiers | null {
  if (!results || typeof results !== "object" || !("tiers" in results)) return null;
  const raw = (results as { tiers: unknown }).tiers;
  if (!raw || typeof raw !== "object") return null;
  const tiers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw).slice(0, 50)) tiers[k.slice(0, 60)] = String(v).slice(0, 20);
  return { level: (results as { level?: unknown }).level, tiers };
}

/** The commit status description (Gitea keeps 255 characters). */
export function statusDescription(o: Outcome, elapsedMs: number, tiers: Tiers | null): string {
  if (o.verdict === "GREEN") return `GREEN in ${duration(elapsedMs)}`;
  if (o.verdict === "RED") {
    const failed = tiers ? Object.entries(tiers.tiers).find(([, v]) => v === "fail")?.[0] : undefined;
    return failed ? `RED: ${failed} failed` : `RED: ${o.reason}`;
  }
  return `ERROR: ${o.reason}`;
}

export const STATUS_STATE = { GREEN: "success", RED: "failure", ERROR: "error" } as const;

/** The one result comment of a PR (edited in place, found by its marker). */
export function resultComment(run: Run, o: Outcome, elapsedMs: number, url: string, tiers: Tiers | null, logTail: string): string {
  const icon = { GREEN: "✅", RED: "❌", ERROR: "⚠️" }[o.verdict];
  const mode = run.mode === "quick" ? "quick (`--quick`: fewer tiers, lower confidence)" : "full";
  const lines = [
    RESULT_MARKER,
    `### cc-ci: ${o.verdict} ${icon}`,
    "",
    "| | |",
    "| --- | --- |",
    `| verdict | **${o.verdict}** — ${escapeCell(statusDescription(o, elapsedMs, tiers))} |`,
    `| commit | \`${run.sha.slice(0, 10)}\` |`,
    `| mode | ${mode} |`,
    `| duration | ${duration(elapsedMs)} |`,
    `| run | [#${run.id}](${url}) |`,
  ];
  if (tiers && Object.keys(tiers.tiers).length > 0) {
    lines.push("", "| tier | result |", "| --- | --- |", ...Object.entries(tiers.tiers).map(([k, v]) => `| ${escapeCell(k)} | ${escapeCell(v)} |`));
  }
  const tail = tailOf(logTail);
  if (tail) lines.push("", "<details><summary>last lines of the log</summary>", "", "```text", tail, "```", "", "</details>");
  lines.push("", `Re-run: comment \`!testme\` (or \`!testme --quick\`) on a line of its own. Full log: ${url}`);
  const body = lines.join("\n");
  return body.length <= MAX_COMMENT ? body : `${body.slice(0, MAX_COMMENT - 40)}\n\n(comment cut to stay under the limit)`;
}

/** The last lines of a log, bounded, with code fences defused. */
export function tailOf(log: string): string {
  const lines = log.replace(/\r/g, "").split("\n");
  while (lines.length > 0 && lines.at(-1) === "") lines.pop();
  let tail = lines.slice(-TAIL_LINES).map((l) => (l.length > 300 ? `${l.slice(0, 299)}…` : l)).join("\n");
  if (tail.length > TAIL_BYTES) tail = tail.slice(-TAIL_BYTES);
  return tail.replace(/```/g, "ˋˋˋ");
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
