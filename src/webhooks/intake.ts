import type { IncomingMessage, ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import type { DeliveryStore, IncomingDelivery } from "../store/deliveries.ts";
import type { Clock } from "../clock.ts";
import { contentKey, eventAction, type WebhookEvent } from "./events.ts";
import type { ParsePool } from "./parse-pool.ts";
import { eventKind, identify } from "./identify.ts";
import { eventLabel } from "./event-label.ts";
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
  /** The dispatcher: handed each delivery to process, parsed, before its commit; told after. */
  dispatch: { prime(deliveryId: string, event: WebhookEvent): void; forget(deliveryId: string): void; accepted(repo: string): void };
}

/**
 * POST /webhook on the raw node:http request: read (bounded) -> verify the signed bytes ->
 * identify -> parse and validate -> persist -> answer. Nothing is parsed before the signature
 * passes, nothing unsigned is stored, and a 2xx is sent only after the commit that holds the
 * delivery (docs/design.md#intake). Every refusal answers with one line saying what was wrong.
 */
export function createIntake(deps: IntakeDeps) {
  return async function intake(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const count = (outcome: string, event: string | null) => {
      deps.metrics.deliveries.inc({ event: eventLabel(event), outcome });
      deps.metrics.ackLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
    };
    const answer = (status: number, outcome: string, message: string, event: string | null = null) => {
      count(outcome, event);
      if (res.headersSent) return;
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(message) + 1 });
      res.end(message + "\n");
    };
    const refuse = (status: number, message: string) => {
      deps.log.info({ status, reason: message }, "delivery refused");
      answer(status, `rejected_${status}`, message);
    };

    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      return refuse(405, "webhook deliveries must be POSTed");
    }
    const contentType = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    const isJson = contentType === "application/json";
    const isForm = contentType === "application/x-www-form-urlencoded";
    if (!isJson && !isForm) {
      req.resume();
      return refuse(415, `content type "${contentType || "none"}" is not supported; set the webhook's content type to application/json`);
    }

    const read = await readBody(req, deps.maxBodyBytes);
    if (!read.ok) {
      if (read.tooLarge) {
        const message = `body is larger than the limit of ${deps.maxBodyBytes} bytes`;
        deps.log.info({ status: 413, reason: message }, "delivery refused");
        count("rejected_413", null);
        return answerAndDrain(req, res, 413, message);
      }
      // Cut off by the request time bound (answered 408 there) or gone: nobody to answer.
      if (req.socket.destroyed) return deps.log.debug({ reason: read.error }, "delivery abandoned by its connection");
      return refuse(400, `could not read the body: ${read.error}`);
    }

    // Gitea signs the JSON payload itself; a form delivery carries it in the "payload" field
    // (services/webhook/deliver.go), so that field's bytes are what gets verified.
    const signed = isJson ? read.body : formPayload(read.body);
    if (signed === null) return refuse(400, 'form-encoded delivery has no "payload" field');
    const check = verifySignature(signed, req.headers, deps.secrets());
    if (!check.ok) return refuse(401, check.reason);

    const identity = identify(req.headers);
    if (identity.event === null) return refuse(400, "missing event header (X-Gitea-Event, X-Forgejo-Event or X-GitHub-Event)");
    const event = identity.event;
    const id = identity.deliveryId ?? `sha256-${createHash("sha256").update(signed).digest("hex").slice(0, 32)}`;
    // Plain fields rather than a child logger: this runs for every delivery.
    const about = { delivery: id, event };
    const base = { id, event, receivedAt: deps.clock.now() } as const;

    const kind = eventKind(identity);
    let record: IncomingDelivery;
    let typed: WebhookEvent | null = null;
    if (kind === null) {
      record = { ...base, action: null, repo: null, contentKey: null, state: "ignored", reason: `event "${event}" is not handled`, payload: null };
    } else {
      const parsed = await deps.parser.parse(kind, identity.type, signed);
      if (parsed === "busy") return refuse(503, "too many large deliveries are being parsed at once; nothing was accepted");
      if (!parsed.ok) return refuse(400, parsed.error);
      typed = parsed.event;
      record = toRecord(base, typed, ignoreReason(typed, deps.policy));
    }

    if (typed !== null && record.state === "pending") deps.dispatch.prime(id, typed);
    let outcome;
    try {
      outcome = await deps.store.accept(record);
    } catch (err) {
      deps.dispatch.forget(id);
      deps.log.error({ ...about, err }, "could not store the delivery");
      return answer(503, "store_error", "the delivery could not be stored; nothing was accepted", event);
    }
    if (outcome.status === "duplicate") {
      deps.dispatch.forget(id);
      deps.log.info({ ...about, of: outcome.of }, "duplicate delivery");
      return answer(200, "duplicate", `duplicate of delivery ${outcome.of}`, event);
    }
    if (record.state === "ignored" || typed === null) {
      deps.log.debug({ ...about, reason: record.reason }, "delivery ignored");
      return answer(202, "ignored", `ignored: ${record.reason}`, event);
    }
    deps.log.info({ ...about, repo: record.repo, action: record.action }, "delivery accepted");
    deps.dispatch.accepted(typed.repo);
    return answer(202, "accepted", `accepted delivery ${id}`, event);
  };
}

function toRecord(
  base: { id: string; event: string; receivedAt: number },
  e: WebhookEvent,
  ignored: string | null,
): IncomingDelivery {
  const common = { ...base, action: eventAction(e), repo: e.repo };
  return ignored === null
    ? { ...common, contentKey: contentKey(e), state: "pending", reason: null, payload: e }
    : { ...common, contentKey: null, state: "ignored", reason: ignored, payload: null };
}

function formPayload(body: Buffer): Buffer | null {
  const payload = new URLSearchParams(body.toString("utf8")).get("payload");
  return payload === null ? null : Buffer.from(payload, "utf8");
}
