import { request } from "node:http";
import { randomUUID, createHmac } from "node:crypto";

export type Flavour = "gitea-1.15" | "gitea-modern" | "forgejo";

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
 * Gitea, Gogs and GitHub names, a SHA-1 digest under X-Hub-Signature, and from 1.16 the
 * X-*-Event-Type headers. Forgejo adds its own X-Forgejo-* names.
 */
export function deliveryHeaders(flavour: Flavour, id: string, event: string, eventType: string, body: string, secret: string) {
  const sha256 = createHmac("sha256", secret).update(body).digest("hex");
  const sha1 = createHmac("sha1", secret).update(body).digest("hex");
  const modern = flavour !== "gitea-1.15";
  const h: Record<string, string> = {
    "user-agent": "Go-http-client/1.1",
    "content-length": String(Buffer.byteLength(body)),
    "content-type": "application/json",
    "x-github-delivery": id,
    "x-github-event": event,
    ...(modern ? { "x-github-event-type": eventType } : {}),
    "x-gitea-delivery": id,
    "x-gitea-event": event,
    ...(modern ? { "x-gitea-event-type": eventType } : {}),
    "x-gitea-signature": sha256,
    "x-gogs-delivery": id,
    "x-gogs-event": event,
    ...(modern ? { "x-gogs-event-type": eventType } : {}),
    "x-gogs-signature": sha256,
    "x-hub-signature": `sha1=${sha1}`,
    "x-hub-signature-256": `sha256=${sha256}`,
    "accept-encoding": "gzip",
  };
  if (flavour === "forgejo") {
    Object.assign(h, { "x-forgejo-delivery": id, "x-forgejo-event": event, "x-forgejo-event-type": eventType, "x-forgejo-signature": sha256 });
  }
  return h;
}

/** Sends one delivery the way Gitea does: pretty-printed JSON, a new UUID, 5 s timeout, no retry. */
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
  const body = JSON.stringify(payload, null, 2);
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
