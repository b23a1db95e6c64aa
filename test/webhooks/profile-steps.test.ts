import { describe, expect, it } from "vitest";
import { stepsOf, type CpuProfile } from "../../bench/profile-steps.ts";

const ROOT = "file:///app";
/** A profile from call stacks (outermost first) with the µs each was sampled for, starting at t=1000. */
function profile(stacks: Array<[frames: Array<[name: string, url: string]>, us: number]>): CpuProfile {
  const nodes: CpuProfile["nodes"] = [{ id: 1, callFrame: { functionName: "(root)", url: "" }, children: [] }];
  const samples: number[] = [];
  for (const [frames] of stacks) {
    let parent = nodes[0]!;
    for (const [functionName, url] of frames) {
      let child = (parent.children ?? []).map((id) => nodes.find((n) => n.id === id)!).find((n) => n.callFrame.functionName === functionName && n.callFrame.url === url);
      if (!child) {
        child = { id: nodes.length + 1, callFrame: { functionName, url }, children: [] };
        nodes.push(child);
        parent.children!.push(child.id);
      }
      parent = child;
    }
    samples.push(parent.id);
  }
  // A sample stands for the time up to the next one: the first comes at startTime, each delta
  // after it is the previous sample's time, and a last, unattributed sample closes the list.
  samples.push(1);
  return { nodes, startTime: 1000, samples, timeDeltas: [0, ...stacks.map(([, us]) => us)] };
}

describe("the intake profile's steps", () => {
  it("names each sample by its innermost frame with a step, and counts the dispatcher's work as its own wherever it calls", () => {
    const p = profile([
      [[["intake", `${ROOT}/dist/webhooks/intake.js`], ["verifySignature", `${ROOT}/dist/webhooks/signature.js`], ["Hmac", "node:internal/crypto/hash"]], 30],
      [[["intake", `${ROOT}/dist/webhooks/intake.js`], ["end", "node:_http_outgoing"], ["writev", ""]], 50],
      [[["intake", `${ROOT}/dist/webhooks/intake.js`], ["accept", `${ROOT}/dist/store/deliveries.js`]], 20],
      [[["fill", `${ROOT}/dist/util/lane-runner.js`], ["due", `${ROOT}/dist/store/deliveries.js`]], 40],
      [[["(garbage collector)", ""]], 10],
      [[["(idle)", ""]], 1000],
    ]);
    const steps = stepsOf(p, { from: 0, to: Number.MAX_SAFE_INTEGER });
    expect(Object.fromEntries(steps)).toEqual({
      signature: 30,
      "HTTP (node:http, sockets)": 50,
      "store insert": 20,
      "dispatcher (after the answer)": 40,
      "garbage collection": 10,
    });
  });

  it("counts only the samples taken within the window", () => {
    const p = profile([
      [[["verifySignature", `${ROOT}/dist/webhooks/signature.js`]], 100],
      [[["jsonDepthExceeds", `${ROOT}/dist/webhooks/json-depth.js`]], 100],
      [[["parseBody", `${ROOT}/dist/webhooks/parse-body.js`]], 100],
    ]);
    // Samples at t = 1000, 1100, 1200; the window holds the middle one.
    expect(Object.fromEntries(stepsOf(p, { from: 1050, to: 1150 }))).toEqual({ "depth scan": 100 });
  });
});
