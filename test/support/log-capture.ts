import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/log.ts";
import { makeRedactor, type Redactor } from "../../src/redact.ts";

/** A logger whose lines (JSON, one per entry) are kept in `lines`. */
export function captureLog(redact: Redactor = makeRedactor([])): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  });
  return { log: createLogger("info", redact, stream), lines };
}
