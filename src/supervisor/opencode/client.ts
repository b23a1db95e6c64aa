import { z } from "zod";

export interface OpencodeClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:4096. */
  url: string;
  /** OPENCODE_SERVER_PASSWORD of the server, when it asks for HTTP basic auth. */
  password?: string | undefined;
  /** opencode's default user is `opencode` (OPENCODE_SERVER_USERNAME overrides it on the server). */
  username?: string | undefined;
  /** The project directory sessions belong to (`?directory=`); default: the server's own. */
  directory?: string | undefined;
  timeoutMs?: number | undefined;
  /** Bound on a response body. */
  maxBodyBytes?: number | undefined;
}

/** The server could not be reached or did not answer in time: an operator matter, not the session's. */
export class OpencodeUnreachable extends Error {}

/** The server answered with an error status; `message` is one line. */
export class OpencodeHttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const sessionInfo = z.object({
  id: z.string(),
  title: z.string().default(""),
  directory: z.string().optional(),
  time: z.object({ created: z.number(), updated: z.number().optional() }),
});
export type OpencodeSession = z.infer<typeof sessionInfo>;

// `GET /session/status`: `{}` when all are idle, else per session id `busy` or `retry` (opencode
// 1.18.33 waits out a provider error such as a 429 by itself, following `retry-after`, and says
// when it tries next in `next`, epoch ms).
const statusEntry = z.object({
  type: z.string(),
  attempt: z.number().optional(),
  message: z.string().optional(),
  next: z.number().optional(),
});
export type OpencodeStatus = z.infer<typeof statusEntry>;

// A failed turn's assistant message carries `info.error = {name: "APIError", data: {message,
// statusCode, isRetryable}}`; other names (MessageAbortedError, ProviderAuthError, …) exist too.
const messageError = z.object({
  name: z.string(),
  data: z.object({ message: z.string().optional(), statusCode: z.number().optional(), isRetryable: z.boolean().optional() }).loose().optional(),
});
const message = z.object({
  info: z.object({
    id: z.string(),
    role: z.string(),
    time: z.object({ created: z.number(), completed: z.number().optional() }),
    error: messageError.optional(),
  }),
  parts: z.array(z.object({ type: z.string(), text: z.string().optional() }).loose()).default([]),
});
export type OpencodeMessage = z.infer<typeof message>;

/**
 * The few calls of the opencode server's HTTP API the bot uses (opencode 1.18.33; `GET /doc`
 * serves its OpenAPI document). Every call is bounded in time and size, answers are validated,
 * and errors are one line without the password.
 */
export class OpencodeClient {
  private readonly base: string;
  private readonly auth: string | undefined;

  constructor(private readonly o: OpencodeClientOptions) {
    this.base = o.url.replace(/\/+$/, "");
    // The server checks `Authorization: Basic` against OPENCODE_SERVER_USERNAME (default
    // "opencode") and OPENCODE_SERVER_PASSWORD; without a password set it asks for nothing.
    this.auth = o.password ? `Basic ${Buffer.from(`${o.username ?? "opencode"}:${o.password}`).toString("base64")}` : undefined;
  }

  get url(): string {
    return this.base;
  }

  /** Sessions whose title contains `title` (the server's `search`), newest first. */
  async sessions(title: string): Promise<OpencodeSession[]> {
    const list = z.array(sessionInfo).parse(await this.call("GET", "/session", { search: title }));
    return list.sort((a, b) => b.time.created - a.time.created);
  }

  async createSession(title: string): Promise<OpencodeSession> {
    return sessionInfo.parse(await this.call("POST", "/session", {}, { title }));
  }

  /** Queues a prompt: it runs now, or after the turn that is running (204; 404 for an unknown id). */
  async promptAsync(id: string, text: string): Promise<void> {
    await this.call("POST", `/session/${encodeURIComponent(id)}/prompt_async`, {}, { parts: [{ type: "text", text }] });
  }

  async status(): Promise<Record<string, OpencodeStatus>> {
    return z.record(z.string(), statusEntry).parse(await this.call("GET", "/session/status"));
  }

  /** The newest `limit` messages of a session, oldest first. */
  async messages(id: string, limit: number): Promise<OpencodeMessage[]> {
    return z.array(message).parse(await this.call("GET", `/session/${encodeURIComponent(id)}/message`, { limit: String(limit) }));
  }

  async abort(id: string): Promise<void> {
    await this.call("POST", `/session/${encodeURIComponent(id)}/abort`);
  }

  private async call(method: string, path: string, query: Record<string, string> = {}, body?: unknown): Promise<unknown> {
    const url = new URL(this.base + path);
    if (this.o.directory) url.searchParams.set("directory", this.o.directory);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.auth) headers.authorization = this.auth;
    const what = `opencode ${method} ${path}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body: body === undefined ? null : JSON.stringify(body), signal: AbortSignal.timeout(this.o.timeoutMs ?? 10_000) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new OpencodeUnreachable(`${what}: the server at ${this.base} does not answer (${cause})`);
    }
    const text = await readBounded(res, this.o.maxBodyBytes ?? 8 * 1024 * 1024).catch((err: unknown) => {
      throw new OpencodeUnreachable(`${what}: ${oneLine(String((err as Error).message))}`);
    });
    if (!res.ok) {
      if (res.status === 401) throw new OpencodeHttpError(`${what}: 401, the server refused the password (set the configured password variable to its OPENCODE_SERVER_PASSWORD)`, 401);
      throw new OpencodeHttpError(`${what}: ${res.status} ${oneLine(errorMessage(text))}`, res.status);
    }
    if (text === "") return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new OpencodeHttpError(`${what}: the answer is not JSON`, res.status);
    }
  }
}

/** opencode's error bodies are `{name, data: {message}}`. */
function errorMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { name?: string; data?: { message?: string }; message?: string };
    return [j.name, j.data?.message ?? j.message].filter(Boolean).join(": ") || text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim().slice(0, 300);
}

async function readBounded(res: Response, max: number): Promise<string> {
  if (!res.body) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw new Error(`the answer is larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
