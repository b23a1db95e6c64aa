import { parseEvent, type ParseResult } from "./events.ts";
import type { EventKind } from "./identify.ts";
import { jsonDepthExceeds } from "./json-depth.ts";

/**
 * The captured Gitea 1.15 deliveries nest at most 5 levels (deeper only through a fork's parent
 * repository and its owner, modules/structs); 64 leaves room for whatever a newer forge adds.
 */
export const MAX_JSON_DEPTH = 64;
/** A smaller body cannot nest deeply enough to cost much (16 KiB of `[`: JSON.parse in about 1 ms). */
const SCAN_FROM_BYTES = 16 * 1024;

/**
 * Signed bytes -> typed event: the nesting bound before JSON.parse (a cheap byte scan), then
 * the schema. Runs on the event loop for small bodies and in the parser thread for large ones
 * (parse-pool.ts), so it stays plain: bytes in, a result that can cross threads out.
 */
export function parseBody(kind: EventKind, type: string | null, body: Uint8Array): ParseResult {
  if (body.length > SCAN_FROM_BYTES && jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
    return { ok: false, error: `body nests JSON more than ${MAX_JSON_DEPTH} levels deep, which no forge payload does` };
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8"));
  } catch (err) {
    return { ok: false, error: `body is not valid JSON: ${(err as Error).message.slice(0, 200)}` };
  }
  return parseEvent(kind, type, json);
}
