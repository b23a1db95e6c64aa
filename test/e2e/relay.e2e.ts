import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../support/wait.ts";
import type { GitClone } from "./support/git-clone.ts";
import { World } from "./support/world.ts";

// Scenario 1: the handoff relay on a real Gitea, with the default clone path (no cloneUrl:
// the bot's mirror fetches <gitea>/<repo>.git with its token) and real tmux sessions.
const w = new World();
const b = `b-${w.tag}`;
const a = `a-${w.tag}`;
const o = `o-${w.tag}`;
let loop: GitClone;

interface LoopView {
  head: string | null;
  phase: { index: number; id: string | null; complete: boolean };
}
const loopView = async () => (await w.api<{ loops: LoopView[] }>("/api/loops")).loops[0]!;
const short = (sha: string) => sha.slice(0, 7);

beforeAll(async () => {
  await w.create({ loops: ["loop"] });
  for (const s of [b, a, o]) await w.agents.start(s);
  w.writeConfig({
    loops: [
      {
        name: "cc-ci",
        repo: w.repo("loop"),
        sessions: { builder: { session: b, start: w.agents.argv(b) }, adversary: { session: a, start: w.agents.argv(a) } },
        phases: [
          { id: "1", plan: "plan-1.md", status: "machine-docs/STATUS-1.md" },
          { id: "2", plan: "plan-2.md", status: "machine-docs/STATUS-2.md" },
        ],
      },
    ],
    supervisor: { tmuxSocket: w.agents.socket, tickSeconds: 1, orchestrator: { session: o, start: w.agents.argv(o) } },
  });
  await w.startBot();
  loop = w.clone("loop");
  // The first sight of the loop records its head as the baseline: history is not announced.
  await waitFor(async () => (await loopView()).head === loop.head(), "the loop's baseline at its head", 30_000);
});
afterAll(() => w.close());

/** Commits and pushes as an agent does; the ping comes from Gitea's real push delivery. */
function push(...commits: Array<[string, Record<string, string | null>?]>): string[] {
  const shas = commits.map(([subject, files]) => loop.commit(subject, files));
  loop.push();
  return shas;
}

describe("handoff relay on a real Gitea (token auth, no cloneUrl)", () => {
  it("pings the adversary for a claim and the builder for a review", async () => {
    const [claim] = push(["claim(gate-1): take it"]);
    await waitFor(() => w.agents.received(a).length === 1, "the claim ping in the adversary's pane");
    expect(w.agents.received(a)).toEqual([`[cc-ci-bot] cc-ci: ${short(claim!)} claim(gate-1): take it`]);
    const [review] = push(["review(gate-1): PASS looks good"]);
    await waitFor(() => w.agents.received(b).length === 1, "the review ping in the builder's pane");
    expect(w.agents.received(b)).toEqual([`[cc-ci-bot] cc-ci: ${short(review!)} review(gate-1): PASS looks good`]);
    expect(w.agents.received(a)).toHaveLength(1);
  });

  it("reads the whole range of a 12-commit push (Gitea lists 5): one ping naming both claims", async () => {
    const shas = push(...Array.from({ length: 12 }, (_, i): [string] => [i === 0 || i === 8 ? `claim(gate-${i + 2}): take it` : `work ${i + 1}`]));
    await waitFor(() => w.agents.received(a).length === 2, "one ping for the 12-commit push");
    expect(w.agents.received(a)[1]).toBe(`[cc-ci-bot] cc-ci: ${short(shas[0]!)} claim(gate-2): take it | ${short(shas[8]!)} claim(gate-10): take it`);
    expect(w.agents.received(b)).toHaveLength(1);
  });

  it("pings for an INBOX file added, and nobody when it is deleted", async () => {
    const [added] = push(["note for the builder", { "machine-docs/BUILDER-INBOX.md": "please look at gate 3\n" }]);
    await waitFor(() => w.agents.received(b).length === 2, "the inbox ping");
    expect(w.agents.received(b)[1]).toContain("machine-docs/BUILDER-INBOX.md");
    expect(w.agents.received(b)[1]).toContain(short(added!));
    push(["consume the inbox", { "machine-docs/BUILDER-INBOX.md": null }]);
    // A later claim is the marker that the deletion's push was processed.
    push(["claim(gate-11): after the inbox"]);
    await waitFor(() => w.agents.received(a).length === 3, "the claim after the deletion");
    expect(w.agents.received(b)).toHaveLength(2);
  });

  it("advances the phase when its STATUS file reaches ## DONE, restarting the sessions with the next kickoff", async () => {
    const startsBefore = w.agents.starts(b);
    push(["status: phase 1 done", { "machine-docs/STATUS-1.md": "# Phase 1\n\n## DONE\n" }]);
    await waitFor(async () => (await loopView()).phase.id === "2", "the phase to advance to 2");
    await waitFor(() => w.agents.starts(b) > startsBefore && w.agents.received(b).some((t) => t.includes("plan-2.md")), "the builder restarted with phase 2's kickoff");
    expect(w.agents.received(b).at(-1)).toMatch(/^Phase 2 of loop cc-ci: follow the plan in plan-2\.md/);
    await waitFor(() => w.agents.received(a).some((t) => t.includes("plan-2.md")), "the adversary restarted with phase 2's kickoff");
  });

  it("raises an alert on a force-push and re-pings nothing rewritten", async () => {
    const [kept] = push(["claim(gate-20): before the rewrite"]);
    await waitFor(() => w.agents.received(a).some((t) => t.includes(short(kept!))), "the claim before the rewrite");
    const pingsBefore = w.agents.received(a).length;
    loop.git("reset", "--quiet", "--hard", "HEAD~1");
    loop.commit("claim(gate-21): rewritten history");
    loop.push("main", true);
    const alert = await waitFor(async () => (await w.api<{ alerts: Array<{ kind: string; subject: string; message: string }> }>("/api/alerts")).alerts.find((x) => x.kind === "force-push"), "the force-push alert");
    expect(alert.message).toMatch(/force/i);
    await waitFor(() => w.agents.received(o).some((t) => /force-push/i.test(t)), "the orchestrator told of the force-push");
    // The loop is re-baselined: the next claim pings, the rewritten one never did.
    const [next] = push(["claim(gate-22): after the rewrite"]);
    await waitFor(() => w.agents.received(a).some((t) => t.includes(short(next!))), "the claim after the rewrite");
    expect(w.agents.received(a).length).toBe(pingsBefore + 1);
    expect(w.agents.received(a).join("\n")).not.toContain("gate-21");
  });
});
