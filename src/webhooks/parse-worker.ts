import { parentPort } from "node:worker_threads";
import type { EventKind } from "./identify.ts";
import { parseBody } from "./parse-body.ts";

export interface ParseJob {
  id: number;
  kind: EventKind;
  type: string | null;
  body: Uint8Array;
}

parentPort!.on("message", (job: ParseJob) => {
  parentPort!.postMessage({ id: job.id, result: parseBody(job.kind, job.type, job.body) });
});
