import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";

// The headers a digest may arrive in, most specific first. Gitea sends the same HMAC-SHA256
// under X-Gitea-Signature, X-Gogs-Signature and X-Hub-Signature-256 ("sha256=" prefix);
// Forgejo adds X-Forgejo-Signature (services/webhook/deliver.go).
const DIGEST_HEADERS: ReadonlyArray<readonly [name: string, prefix: string]> = [
  ["x-forgejo-signature", ""],
  ["x-gitea-signature", ""],
  ["x-gogs-signature", ""],
  ["x-hub-signature-256", "sha256="],
];

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** The digest the delivery claims, or a reason it has none we accept. */
export function claimedDigest(headers: IncomingHttpHeaders): { digest: string } | { reason: string } {
  for (const [name, prefix] of DIGEST_HEADERS) {
    const value = headers[name];
    if (value === undefined) continue;
    const raw = (Array.isArray(value) ? value[0] : value)?.trim() ?? "";
    if (prefix && !raw.toLowerCase().startsWith(prefix)) return { reason: `${name} must start with "${prefix}"` };
    const hex = raw.slice(prefix.length).toLowerCase();
    if (hex.length === 0) return { reason: `${name} is empty` };
    if (!/^[0-9a-f]{64}$/.test(hex)) return { reason: `${name} is not a hex SHA-256 digest` };
    return { digest: hex };
  }
  return { reason: "no signature header (X-Gitea-Signature, X-Forgejo-Signature, X-Gogs-Signature or X-Hub-Signature-256)" };
}

/**
 * Checks the HMAC-SHA256 of the exact signed bytes against every configured secret
 * (several during a rotation). Constant-time per comparison; no secret means nothing passes.
 */
export function verifySignature(signed: Buffer, headers: IncomingHttpHeaders, secrets: readonly string[]): SignatureCheck {
  if (secrets.length === 0) return { ok: false, reason: "no webhook secret is configured, so no delivery can be verified" };
  const claimed = claimedDigest(headers);
  if ("reason" in claimed) return { ok: false, reason: claimed.reason };
  const given = Buffer.from(claimed.digest, "hex");
  let match = false;
  for (const secret of secrets) {
    const expected = createHmac("sha256", secret).update(signed).digest();
    // Evaluate every secret, so timing does not reveal which one matched.
    if (timingSafeEqual(expected, given)) match = true;
  }
  return match ? { ok: true } : { ok: false, reason: "signature does not match the payload" };
}

export function sign(body: string | Buffer, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}
