import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What the fake model does with the next chat completion:
 * - `reply`: streams `text` (default: "ok") and stops;
 * - `slow`: holds the reply until `release()` (or `ms` pass), so a turn stays busy as long as a test needs;
 * - `limit`: 429 with `retry-after` (seconds) — a provider rate limit, retried by the client;
 * - `error`: a non-retryable 400;
 * - `waiting`: a reply whose last line is `WAITING-UNTIL: <until>`.
 */
export type ModelMode =
  | { kind: "reply"; text?: string }
  | { kind: "slow"; text?: string; ms?: number }
  | { kind: "limit"; retryAfterSeconds: number; message?: string }
  | { kind: "error"; status?: number; message?: string }
  | { kind: "waiting"; until: string; text?: string };

export interface ModelRequest {
  /** The text of the newest user message: the prompt this turn answers. */
  prompt: string;
  /** Every user message's text, oldest first (the conversation so far). */
  userMessages: string[];
  /** The mode that answered it. */
  mode: ModelMode["kind"];
  at: number;
}

interface ChatMessage {
  role?: string;
  content?: string | Array<{ type?: string; text?: string }> | null;
}

/**
 * An OpenAI-compatible chat-completions server on loopback (`POST /v1/chat/completions`,
 * streaming as server-sent events the way @ai-sdk/openai-compatible reads them: `data:` chunks
 * with `choices[0].delta`, a last chunk with `finish_reason` and `usage`, then `data: [DONE]`).
 * Tests switch its mode and read the prompts it received.
 */
export class FakeModel {
  readonly requests: ModelRequest[] = [];
  private mode: ModelMode = { kind: "reply" };
  private readonly queued: ModelMode[] = [];
  private readonly held = new Set<() => void>();
  private server: Server | null = null;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  /** Every later request gets this mode. */
  set(mode: ModelMode): void {
    this.mode = mode;
  }

  /** The next request gets `mode`, then the standing mode again. */
  once(mode: ModelMode): void {
    this.queued.push(mode);
  }

  /** Lets every held (`slow`) reply go. */
  release(): void {
    for (const go of [...this.held]) go();
  }

  /** How many replies are being held right now. */
  get holding(): number {
    return this.held.size;
  }

  prompts(): string[] {
    return this.requests.map((r) => r.prompt);
  }

  async stop(): Promise<void> {
    this.release();
    if (!this.server) return;
    const closed = new Promise<void>((r) => this.server!.close(() => r()));
    this.server.closeAllConnections();
    await closed;
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}` } }));
      return;
    }
    let body: { messages?: ChatMessage[]; model?: string; stream?: boolean };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as typeof body;
    } catch {
      res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "invalid JSON" } }));
      return;
    }
    const users = (body.messages ?? []).filter((m) => m.role === "user").map(textOf);
    const mode = this.queued.shift() ?? this.mode;
    this.requests.push({ prompt: users.at(-1) ?? "", userMessages: users, mode: mode.kind, at: Date.now() });

    switch (mode.kind) {
      case "limit":
        res
          .writeHead(429, { "content-type": "application/json", "retry-after": String(mode.retryAfterSeconds) })
          .end(JSON.stringify({ error: { message: mode.message ?? "Rate limit reached for requests", type: "rate_limit_error", code: "rate_limit_exceeded" } }));
        return;
      case "error":
        res
          .writeHead(mode.status ?? 400, { "content-type": "application/json" })
          .end(JSON.stringify({ error: { message: mode.message ?? "messages: text content blocks must be non-empty", type: "invalid_request_error" } }));
        return;
      case "slow":
        await new Promise<void>((resolve) => {
          const go = () => {
            this.held.delete(go);
            clearTimeout(timer);
            resolve();
          };
          const timer = mode.ms === undefined ? undefined : setTimeout(go, mode.ms);
          this.held.add(go);
        });
        return this.stream(res, body, mode.text ?? "ok, that took a while");
      case "waiting":
        return this.stream(res, body, `${mode.text ?? "Nothing to do until the run finishes."}\n\nWAITING-UNTIL: ${mode.until}`);
      case "reply":
        return this.stream(res, body, mode.text ?? "ok");
    }
  }

  private stream(res: ServerResponse, body: { model?: string; stream?: boolean }, text: string): void {
    const id = `chatcmpl-${this.requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? "fake-model";
    const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    if (body.stream === false) {
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ id, object: "chat.completion", created, model, choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }], usage }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    const chunk = (delta: object, finish: string | null, extra: object = {}) =>
      res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`);
    chunk({ role: "assistant", content: "" }, null);
    // Two pieces, so the client really assembles a stream.
    const half = Math.ceil(text.length / 2);
    chunk({ content: text.slice(0, half) }, null);
    chunk({ content: text.slice(half) }, null);
    chunk({}, "stop", { usage });
    res.end("data: [DONE]\n\n");
  }
}

function textOf(m: ChatMessage): string {
  if (typeof m.content === "string") return m.content;
  return (m.content ?? []).map((p) => (p.type === "text" || p.type === undefined ? (p.text ?? "") : "")).join("");
}

export async function startFakeModel(): Promise<FakeModel> {
  return new FakeModel().start();
}
