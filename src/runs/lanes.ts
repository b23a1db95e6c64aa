import type { NewRun, Run } from "../store/runs.ts";

/** The outbox lane of a branch head tested by a sweep (it has no PR). */
export function branchLane(repo: string, branch: string): string {
  return `${repo.toLowerCase()}@${branch}`;
}

/** The outbox lane of a run's writes: its PR's, or its branch's for a sweep's run. */
export function runLane(run: Run): string {
  return run.sweepId === null ? prLane(run.repo, run.pr) : branchLane(run.repo, run.ref);
}

/** The outbox lane of a PR: its writes go out in the order they were made. */
export function prLane(repo: string, pr: number): string {
  return `${repo.toLowerCase()}#${pr}`;
}

/** What makes a request one trigger (docs/design.md#exactly-once): the comment, the head SHA it pinned, the mode. */
export function triggerKey(spec: Pick<NewRun, "repo" | "pr" | "commentId" | "sha" | "mode">): string {
  return `${prLane(spec.repo, spec.pr)}:${spec.commentId ?? "-"}:${spec.sha}:${spec.mode}`;
}
