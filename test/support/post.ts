import { createHmac } from "node:crypto";

export interface PostResult {
  status: number;
  text: string;
}

/** POSTs raw bytes to the bot's /webhook with exactly the given headers. */
export async function postRaw(baseUrl: string, headers: Record<string, string>, body: Buffer | string): Promise<PostResult> {
  const res = await fetch(`${baseUrl}/webhook`, { method: "POST", headers, body });
  return { status: res.status, text: (await res.text()).trim() };
}

export function hmac(secret: string, body: Buffer | string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

/** Headers of a Gitea JSON delivery signed with `secret`. */
export function signedHeaders(event: string, id: string, body: Buffer | string, secret: string, extra: Record<string, string> = {}) {
  return {
    "content-type": "application/json",
    "x-gitea-event": event,
    "x-gitea-delivery": id,
    "x-gitea-signature": hmac(secret, body),
    ...extra,
  };
}
