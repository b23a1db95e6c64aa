import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

interface MessagesBody {
  model?: string;
  stream?: boolean;
  messages?: Array<{ role?: string; content?: string | Array<{ type?: string; text?: string }> }>;
}

/**
 * The Anthropic Messages API as Claude Code calls it, on loopback: `POST /v1/messages`
 * streamed as server-sent events (message_start, one text block in two deltas, message_delta,
 * message_stop) or answered as one JSON message when `stream` is false (Claude Code's own side
 * requests, such as a session title). `/v1/messages/count_tokens` answers a fixed count; every
 * other path a 404, which Claude Code treats as a feature it may do without.
 */
export class FakeAnthropic {
  /** The newest user message of each request that asked for a streamed reply (the turns). */
  readonly prompts: string[] = [];
  /** Every path requested, for failure messages. */
  readonly paths: string[] = [];
  /** The reply's text; a function of the prompt, so a test can answer per prompt. */
  reply: (prompt: string) => string = () => "ok";
  private server: Server | null = null;
  url = "";

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const closed = new Promise<void>((r) => this.server!.close(() => r()));
    this.server.closeAllConnections();
    await closed;
    this.server = null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? "").split("?")[0]!;
    this.paths.push(`${req.method} ${path}`);
    if (req.method === "POST" && path === "/v1/messages/count_tokens") return json(res, 200, { input_tokens: 10 });
    if (req.method !== "POST" || path !== "/v1/messages") return json(res, 404, { type: "error", error: { type: "not_found_error", message: `no route ${req.method} ${path}` } });
    let body: MessagesBody;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as MessagesBody;
    } catch {
      return json(res, 400, { type: "error", error: { type: "invalid_request_error", message: "invalid JSON" } });
    }
    const prompt = newestUserText(body);
    const model = body.model ?? "claude-sonnet-4-5";
    if (body.stream !== true) {
      return json(res, 200, { id: "msg_side", type: "message", role: "assistant", model, content: [{ type: "text", text: "Fake session" }], stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 10, output_tokens: 2 } });
    }
    this.prompts.push(prompt);
    const text = this.reply(prompt);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", "request-id": `req_${this.prompts.length}` });
    const send = (event: string, data: object) => res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
    send("message_start", { message: { id: `msg_${this.prompts.length}`, type: "message", role: "assistant", model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } });
    send("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    const half = Math.ceil(text.length / 2);
    for (const piece of [text.slice(0, half), text.slice(half)]) send("content_block_delta", { index: 0, delta: { type: "text_delta", text: piece } });
    send("content_block_stop", { index: 0 });
    send("message_delta", { delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 5 } });
    send("message_stop", {});
    res.end();
  }
}

/** The text of the newest user message, without the reminders Claude Code adds to it. */
function newestUserText(body: MessagesBody): string {
  const user = (body.messages ?? []).filter((m) => m.role === "user").at(-1);
  if (!user) return "";
  if (typeof user.content === "string") return user.content;
  const texts = (user.content ?? []).filter((p) => p.type === "text").map((p) => p.text ?? "");
  return texts.filter((t) => !t.startsWith("<system-reminder>")).join("\n") || texts.join("\n");
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
