/** The parts of a V8 .cpuprofile that bench:intake:profile reads. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; children?: number[] }>;
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The steps of one delivery, in the order it meets them, and what the rest of the event loop does. */
export const STEPS = [
  "HTTP (node:http, sockets)",
  "body read",
  "signature",
  "depth scan",
  "JSON.parse",
  "validation + caps",
  "intake (identify, record)",
  "store insert",
  "metrics",
  "logging",
  "dispatcher (after the answer)",
  "timers, promises, other",
  "garbage collection",
  "native (program)",
] as const;
export type Step = (typeof STEPS)[number];

// A frame's step by its script; the innermost frame that has one names a sample's step, so
// that node:http called from the intake's answer counts as HTTP, and a crypto call from
// signature.js as the signature. The bot runs from its built modules (dist/).
const BY_URL: Array<[RegExp, Step]> = [
  [/\/dist\/webhooks\/json-depth\.js$/, "depth scan"],
  [/\/dist\/webhooks\/signature\.js$/, "signature"],
  [/\/dist\/webhooks\/parse-body\.js$/, "JSON.parse"],
  [/\/node_modules\/zod\/|\/dist\/webhooks\/(events|payloads|fields|validate)[^/]*\.js$/, "validation + caps"],
  [/\/dist\/webhooks\/(read-body|body-scan)[^/]*\.js$/, "body read"],
  [/\/dist\/store\//, "store insert"],
  [/\/node_modules\/(prom-client|tdigest|bintrees)\/|\/dist\/metrics\.js$|\/dist\/webhooks\/intake-metrics\.js$/, "metrics"],
  [/\/node_modules\/(pino|sonic-boom|fast-redact|quick-format-unescaped|on-exit-leak-free|thread-stream|atomic-sleep)[^/]*\/|\/dist\/(log|redact)\.js$/, "logging"],
  [/\/dist\/webhooks\/|\/dist\/web\/server\.js$/, "intake (identify, record)"],
  [/^node:(_http_|http$|net$|internal\/(http|stream_base_commons|streams|net|js_stream_socket))|^node:stream/, "HTTP (node:http, sockets)"],
];
// Work the dispatcher does for a delivery after it was answered (finding it due, marking it done).
const DISPATCH = /\/dist\/(handlers|util\/lane-runner)/;

/** Busy (non-idle) sampled µs per step, for the samples taken between `window.from` and `window.to` (µs, monotonic). */
export function stepsOf(profile: CpuProfile, window: { from: number; to: number }): Map<Step, number> {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, Step | null>();
  const stepOf = (id: number): Step | null => {
    if (memo.has(id)) return memo.get(id)!;
    const leaf = byId.get(id)!.callFrame.functionName;
    let step: Step | null = null;
    if (leaf === "(idle)") step = null;
    else if (leaf === "(garbage collector)") step = "garbage collection";
    else if (leaf === "(program)") step = "native (program)";
    else {
      let first: Step | null = null;
      let dispatch = false;
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const url = byId.get(at)!.callFrame.url;
        if (DISPATCH.test(url)) dispatch = true;
        if (first === null) first = BY_URL.find(([re]) => re.test(url))?.[1] ?? null;
      }
      step = dispatch ? "dispatcher (after the answer)" : (first ?? "timers, promises, other");
    }
    memo.set(id, step);
    return step;
  };
  const out = new Map<Step, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    if (t < window.from || t > window.to) continue;
    // A sample stands for the interval up to the next one.
    const span = profile.timeDeltas[i + 1] ?? 0;
    const step = stepOf(profile.samples[i]!);
    if (step !== null && span > 0) out.set(step, (out.get(step) ?? 0) + span);
  }
  return out;
}
