/**
 * One API call, made and recorded in the shape of `api/NN-<name>.json`: the request as sent
 * (full URL path, query, who, JSON body) and the answer (status, the few headers a client
 * reads, the parsed JSON or the raw text). Redirects are recorded, never followed.
 */
export const AS = ["bot token", "org member token", "admin basic", "bad token", "none"] as const;
export type As = (typeof AS)[number];

/** Response headers an exchange keeps, in this order, when the server sent them. */
export const KEPT_HEADERS = ["content-type", "link", "x-total-count", "location"] as const;

export interface ExchangeRequest {
  method: string;
  /** Below `/api/v1`, e.g. `/repos/e2e-org/demo/pulls`. */
  path: string;
  query?: Record<string, string>;
  as: As;
  body?: unknown;
}

export interface Exchange {
  request: { method: string; path: string; query: Record<string, string>; as: As; body: unknown };
  response: { status: number; headers: Record<string, string>; body: unknown };
}

/** The `Authorization` value for each `as` (null: no header). */
export type Authorizations = Record<As, string | null>;

export function bearer(token: string): string {
  return `Bearer ${token}`;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** The parsed JSON when the server says JSON and it parses, else the raw text ("" for no body). */
export function decodeBody(text: string, contentType: string | null): unknown {
  if (text === "" || !contentType?.toLowerCase().includes("json")) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Makes the call against the forge at `base` (its root URL) and returns the exchange. */
export async function exchange(base: string, req: ExchangeRequest, authorization: string | null): Promise<Exchange> {
  const url = new URL(`${base.replace(/\/+$/, "")}/api/v1${req.path}`);
  const query = req.query ?? {};
  for (const [k, v] of Object.entries(query)) url.searchParams.append(k, v);
  const hasBody = req.body !== undefined && req.body !== null;
  const res = await fetch(url, {
    method: req.method,
    redirect: "manual",
    headers: {
      accept: "application/json",
      ...(authorization === null ? {} : { authorization }),
      ...(hasBody ? { "content-type": "application/json" } : {}),
    },
    ...(hasBody ? { body: JSON.stringify(req.body) } : {}),
  });
  const text = await res.text();
  const headers: Record<string, string> = {};
  for (const h of KEPT_HEADERS) {
    const v = res.headers.get(h);
    if (v !== null) headers[h] = v;
  }
  return {
    request: { method: req.method, path: url.pathname, query: { ...query }, as: req.as, body: hasBody ? req.body : null },
    response: { status: res.status, headers, body: decodeBody(text, res.headers.get("content-type")) },
  };
}

/** The file text of an exchange: two-space JSON and a final newline, as the 1.15.11 files. */
export function exchangeText(ex: Exchange): string {
  return `${JSON.stringify(ex, null, 2)}\n`;
}
