import { GiteaClient } from "../gitea/client.ts";
import type { Config } from "../config/schema.ts";
import { CliError, loadConfigOrExplain, parse } from "./command.ts";

export type VerdictWord = "GREEN" | "RED" | "ERROR" | "PENDING" | "NONE";

export interface PrVerdict {
  verdict: VerdictWord;
  sha: string | null;
  url: string | null;
  /** The comment that asked for the run, when the bot's own API answered. */
  commentId: number | null;
  source: "bot" | "gitea";
}

export interface PrRef {
  owner: string;
  repo: string;
  number: number;
}

export function parsePrRef(s: string | undefined): PrRef {
  const m = /^([^/\s#]+)\/([^/\s#]+)#(\d+)$/.exec(s ?? "");
  if (!m) throw new CliError(`expected a pull request as owner/repo#N, got "${s ?? ""}"`, 2);
  return { owner: m[1]!, repo: m[2]!, number: Number(m[3]) };
}

/** Exit status for scripts: 0 GREEN, 1 RED or ERROR, 3 PENDING or NONE. */
export function exitCodeOf(v: VerdictWord): number {
  return v === "GREEN" ? 0 : v === "RED" || v === "ERROR" ? 1 : 3;
}

export function botBase(config: Config, url: string | undefined): string {
  return (url ?? config.server.publicUrl ?? `http://127.0.0.1:${config.server.port}`).replace(/\/+$/, "");
}

/**
 * The verdict of a PR's newest run: from the bot's API when it answers, else from the
 * commit status on the PR head in Gitea (so it works from another machine, read-only).
 */
export async function readVerdict(config: Config, base: string, pr: PrRef, explicitUrl: boolean): Promise<PrVerdict> {
  try {
    const res = await fetch(`${base}/api/prs/${pr.owner}/${pr.repo}/${pr.number}`, { signal: AbortSignal.timeout(5000) });
    if (res.ok) {
      const j = (await res.json()) as { verdict: VerdictWord; sha: string | null; url: string | null; run: { commentId: number | null } | null };
      return { verdict: j.verdict, sha: j.sha, url: j.url ? `${base}${j.url}` : null, commentId: j.run?.commentId ?? null, source: "bot" };
    }
    if (explicitUrl) throw new CliError(`the bot at ${base} answered ${res.status}`);
  } catch (err) {
    if (err instanceof CliError || explicitUrl) throw err instanceof CliError ? err : new CliError(`cannot reach the bot at ${base}: ${(err as Error).message}`);
  }
  const gitea = new GiteaClient({ url: config.gitea.url, token: config.gitea.token, timeoutMs: config.gitea.timeoutSeconds * 1000 });
  const head = await gitea.pullRequest(pr.owner, pr.repo, pr.number);
  const status = (await gitea.combinedStatus(pr.owner, pr.repo, head.headSha)).statuses.find((s) => s.context === config.testme.statusContext);
  const map: Record<string, VerdictWord> = { success: "GREEN", failure: "RED", warning: "RED", error: "ERROR", pending: "PENDING" };
  return { verdict: status ? (map[status.state] ?? "NONE") : "NONE", sha: head.headSha, url: status?.targetUrl || null, commentId: null, source: "gitea" };
}

export function formatVerdict(v: PrVerdict, pr: PrRef): string {
  if (v.verdict === "NONE") return `NONE (no run for ${pr.owner}/${pr.repo}#${pr.number}${v.sha ? ` at ${v.sha.slice(0, 7)}` : ""})`;
  return `${v.verdict} ${v.sha?.slice(0, 7) ?? ""} ${v.url ?? ""}`.trim();
}

export async function sleep(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

/** The options `status` and `testme` share, parsed with the PR they name. */
export async function parsePrCommand(args: string[], extra: { quick?: { type: "boolean" } } = {}) {
  const { values, positionals } = parse(
    args,
    {
      config: { type: "string" },
      url: { type: "string" },
      wait: { type: "boolean" },
      json: { type: "boolean" },
      timeout: { type: "string", default: "90" },
      interval: { type: "string", default: "5" },
      ...extra,
    },
    true,
  );
  if (positionals.length !== 1) throw new CliError("give exactly one pull request, as owner/repo#N", 2);
  const { config } = await loadConfigOrExplain(values.config);
  return {
    values,
    pr: parsePrRef(positionals[0]),
    config,
    base: botBase(config, values.url),
    explicitUrl: values.url !== undefined,
    deadline: Date.now() + Number(values.timeout) * 60_000,
    intervalMs: Math.max(0.05, Number(values.interval)) * 1000,
  };
}
