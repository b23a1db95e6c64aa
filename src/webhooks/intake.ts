import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { DeliveryStore, DueDelivery, IncomingDelivery } from "../store/deliveries.ts";
import type { Clock } from "../clock.ts";
import { contentKey, eventAction, type WebhookEvent } from "./events.ts";
import type { ParsePool } from "./parse-pool.ts";
import { eventKind, identify } from "./identify.ts";
import { deliveryCounter } from "./intake-metrics.ts";
import type { IntakeSummary } from "./intake-summary.ts";
import { readBody } from "./read-body.ts";
import { answerAndDrain } from "./drain.ts";
import { verifySignature } from "./signature.ts";
import { ignoreReason, type IntakePolicy } from "./ignore.ts";

export interface IntakeDeps {
  store: Pick<DeliveryStore, "accept">;
  secrets: () => readonly string[];
  maxBodyBytes: number;
  /** Bounds the nesting, then parses: large bodies off the event loop. */
  parser: Pick<ParsePool, "parse">;
  policy: IntakePolicy;
  clock: Clock;
  log: Logger;
  metrics: Pick<Metrics, "deliveries" | "ackLatency">;
  /** Counts each answer for the minute's info line; a delivery's own line is at debug level. */
  summary: Pick<IntakeSummary, "count">;
  /** The dispatcher: handed each delivery to process, parsed, before its commit, and as stored after it. */
  dispatch: { prime(deliveryId: string, event: WebhookEvent): void; forget(deliveryId: string): void; accepted(delivery: DueDelivery): void };
}

/**
 * POST /webhook on the raw node:http request: read (bounded) -> verify the signed bytes ->
 * identify -> parse and validate -> persist -> answer. Nothing is parsed before the signature
 * passes, nothing unsigned is stored, and a 2xx is sent only after the commit that holds the
 * delivery (docs/design.md#intake). Every refusal answers with one line saying what was wrong.
 */
export function createIntake(deps: IntakeDeps) {
  const counter = deliveryCounter(deps.metrics);
  const count = (outcome: string, event: string | null, started: number) => {
    counter(outcome, event, started);
    deps.summary.count(outcome);
  };
  // Made once, with plain arguments, rather than as closures per request: they run for every
  // delivery, and each closure would be an allocation (and more, under some loaders).
  const answer = (res: ServerResponse, started: number, status: number, outcome: string, message: string, event: string | null = null) => {
    count(outcome, event, started);
    if (res.headersSent) return;
    const text = message + "\n";
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
    res.end(text);
  };
  const refuse = (res: ServerResponse, started: number, status: number, message: string) => {
    deps.log.info({ status, reason: message }, "delivery refused");
    answer(res, started, status, REJECTED[status] ?? `rejected_${status}`, message);
  };

  return async function intake(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return refuse(res, started, 405, "webhook deliveries must be POSTed");
    }
    const contentType = mediaType(req.headers["content-type"]);
    const isJson = contentType === "application/json";
    const isForm = contentType === "application/x-www-form-urlencoded";
    if (!isJson && !isForm) {
      req.resume();
      return refuse(res, started, 415, `content type "${contentType || "none"}" is not supported; set the webhook's content type to application/json`);
    }

    const read = await readBody(req, deps.maxBodyBytes);
    if (!read.ok) {
      if (read.tooLarge) {
        const message = `body is larger than the limit of ${deps.maxBodyBytes} bytes`;
        deps.log.info({ status: 413, reason: message }, "delivery refused");
        count("rejected_413", null, started);
        return answerAndDrain(req, res, 413, message);
      }
      // Cut off by the request time bound (answered 408 there) or gone: nobody to answer.
      if (req.socket.destroyed) return deps.log.debug({ reason: read.error }, "delivery abandoned by its connection");
      return refuse(res, started, 400, `could not read the body: ${read.error}`);
    }

    // Gitea signs the JSON payload itself; a form delivery carries it in the "payload" field
    // (services/webhook/deliver.go), so that field's bytes are what gets verified.
    const signed = isJson ? read.body : formPayload(read.body);
    if (signed === null) return refuse(res, started, 400, 'form-encoded delivery has no "payload" field');
    const check = verifySignature(signed, req.headers, deps.secrets());
    if (!check.ok) return refuse(res, started, 401, check.reason);

    const identity = identify(req.headers);
    if (identity.event === null) return refuse(res, started, 400, "missing event header (X-Gitea-Event, X-Forgejo-Event or X-GitHub-Event)");
    const event = identity.event;
    const id = identity.deliveryId ?? `sha256-${createHash("sha256").update(signed).digest("hex").slice(0, 32)}`;
    const receivedAt = deps.clock.now();

    const kind = eventKind(identity);
    let record: IncomingDelivery;
    let typed: WebhookEvent | null = null;
    if (kind === null) {
      record = { id, event, receivedAt, action: null, repo: null, contentKey: null, state: "ignored", reason: `event "${event}" is not handled`, payload: null };
    } else {
      const parsed = await deps.parser.parse(kind, identity.type, signed);
      if (parsed === "busy") return refuse(res, started, 503, "too many large deliveries are being parsed at once; nothing was accepted");
      if (!parsed.ok) return refuse(res, started, 400, parsed.error);
      typed = parsed.event;
      record = toRecord(id, event, receivedAt, typed, ignoreReason(typed, deps.policy));
    }

    if (typed !== null && record.state === "pending") deps.dispatch.prime(id, typed);
    let outcome;
    try {
      outcome = await deps.store.accept(record);
    } catch (err) {
      deps.dispatch.forget(id);
      deps.log.error({ delivery: id, event, err }, "could not store the delivery");
      return answer(res, started, 503, "store_error", "the delivery could not be stored; nothing was accepted", event);
    }
    // Plain fields rather than a child logger: this runs for every delivery. Debug level: at
    // info, the minute's summary counts them (intake-summary.ts).
    if (outcome.status === "duplicate") {
      deps.dispatch.forget(id);
      deps.log.info({ delivery: id, event, of: outcome.of }, "duplicate delivery");
      return answer(res, started, 200, "duplicate", `duplicate of delivery ${outcome.of}`, event);
    }
    if (record.state === "ignored" || typed === null) {
      deps.log.debug({ delivery: id, event, reason: record.reason }, "delivery ignored");
      return answer(res, started, 202, "ignored", `ignored: ${record.reason}`, event);
    }
    deps.log.debug({ delivery: id, event, repo: record.repo, action: record.action }, "delivery accepted");
    deps.dispatch.accepted({ seq: outcome.seq, id, event, repo: typed.repo, attempts: 0, lastError: null, receivedAt, waitingSince: null });
    return answer(res, started, 202, "accepted", `accepted delivery ${id}`, event);
  };
}

/** The outcome labels of refusals, made once. */
const REJECTED: Record<number, string> = Object.fromEntries([400, 401, 405, 413, 415, 503].map((s) => [s, `rejected_${s}`]));

/** "application/json; charset=utf-8" -> "application/json"; the common exact header without a copy. */
function mediaType(header: string | undefined): string {
  if (header === undefined) return "";
  if (header === "application/json") return header;
  return header.split(";")[0]!.trim().toLowerCase();
}

/** One flat literal: the record every delivery makes, without spreads of intermediate objects. */
function toRecord(id: string, event: string, receivedAt: number, e: WebhookEvent, ignored: string | null): IncomingDelivery {
  const action = eventAction(e);
  return ignored === null
    ? { id, event, receivedAt, action, repo: e.repo, contentKey: contentKey(e), state: "pending", reason: null, payload: e }
    : { id, event, receivedAt, action, repo: e.repo, contentKey: null, state: "ignored", reason: ignored, payload: null };
}

function formPayload(body: Buffer): Buffer | null {
  const payload = new URLSearchParams(body.toString("utf8")).get("payload");
  return payload === null ? null : Buffer.from(payload, "utf8");
}
