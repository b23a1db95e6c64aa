import { request } from "node:http";
import { randomUUID, createHmac } from "node:crypto";
import { FACTS } from "./flavour-fields.ts";
import type { Flavour } from "./flavour.ts";

export type { Flavour };


export interface SentDelivery {
  id: string;
  event: string;
  status: number;
  /** The receiver's answer; "" when it gave none in time. */
  response: string;
  error: string | null;
  durationMs: number;
}

/** Gitea's client gives up after DELIVER_TIMEOUT (5 s) and never retries. */
export const DELIVER_TIMEOUT_MS = 5_000;

/**
 * The headers Gitea sets on a delivery (services/webhook/deliver.go): the same digest under
 * Gitea, Gogs and GitHub names, a SHA-1 digest under X-Hub-Signature; newer servers add
 * X-*-Event-Type and (Gitea 1.24+) X-*-Hook-Installation-Target-Type, and Forgejo its own
 * X-Forgejo-* names first (see FACTS). Written in the order the servers write them.
 */
export function deliveryHeaders(flavour: Flavour, id: string, event: string, eventType: string, body: string, secret: string) {
  const sha256 = createHmac("sha256", secret).update(body).digest("hex");
  const sha1 = createHmac("sha1", secret).update(body).digest("hex");
  const facts = FACTS[flavour];
  const typed = facts.eventTypeHeaders;
  // The emulator's hooks are repository webhooks.
  const target = facts.installationTargetHeaders;
  return {
    "user-agent": "Go-http-client/1.1",
    "content-length": String(Buffer.byteLength(body)),
    "content-type": "application/json",
    ...(facts.forgejoHeaders ? { "x-forgejo-delivery": id, "x-forgejo-event": event, "x-forgejo-event-type": eventType, "x-forgejo-signature": sha256 } : {}),
    "x-github-delivery": id,
    "x-github-event": event,
    ...(typed ? { "x-github-event-type": eventType } : {}),
    ...(target ? { "x-github-hook-installation-target-type": "repository" } : {}),
    "x-gitea-delivery": id,
    "x-gitea-event": event,
    ...(typed ? { "x-gitea-event-type": eventType } : {}),
    ...(target ? { "x-gitea-hook-installation-target-type": "repository" } : {}),
    "x-gitea-signature": sha256,
    "x-gogs-delivery": id,
    "x-gogs-event": event,
    ...(typed ? { "x-gogs-event-type": eventType } : {}),
    "x-gogs-signature": sha256,
    "x-hub-signature": `sha1=${sha1}`,
    "x-hub-signature-256": `sha256=${sha256}`,
    "accept-encoding": "gzip",
  } satisfies Record<string, string>;
}

/**
 * The body bytes: `json.MarshalIndent(p, "", "  ")`, except Forgejo's create/delete bodies for a
 * gitea-type hook, which it re-marshals compact with sorted keys (FACTS.compactRefEvents).
 */
export function deliveryBody(flavour: Flavour, event: string, payload: unknown): string {
  const compact = FACTS[flavour].compactRefEvents && (event === "create" || event === "delete");
  return compact ? JSON.stringify(sortedKeys(payload)) : JSON.stringify(payload, null, 2);
}

/** Go marshals a map with its keys sorted, at every level. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => [k, sortedKeys(v)]));
}

/** Sends one delivery the way Gitea does: JSON as deliveryBody writes it, a new UUID, 5 s timeout, no retry. */
export function sendDelivery(
  url: string,
  secret: string,
  flavour: Flavour,
  event: string,
  eventType: string,
  payload: unknown,
  timeoutMs = DELIVER_TIMEOUT_MS,
): Promise<SentDelivery> {
  const id = randomUUID();
  const body = deliveryBody(flavour, event, payload);
  const headers = deliveryHeaders(flavour, id, event, eventType, body, secret);
  const started = performance.now();
  return new Promise((resolve) => {
    const done = (status: number, response: string, error: string | null) =>
      resolve({ id, event, status, response, error, durationMs: performance.now() - started });
    const req = request(url, { method: "POST", headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => done(res.statusCode ?? 0, Buffer.concat(chunks).toString("utf8"), null));
      res.on("error", (e) => done(res.statusCode ?? 0, "", e.message));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e) => done(0, "", e.message));
    req.end(body);
  });
}
