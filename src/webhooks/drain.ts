import type { IncomingMessage, ServerResponse } from "node:http";

/** Whatever a client sends after its answer beyond this is cut off (the time is bounded by server.requestTimeoutSeconds). */
export const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Answers before the request body has all arrived (a 413), so that the client can read it.
 * Closing a socket while the client's body is still arriving makes the kernel answer with a
 * reset, and a reset discards the answer the client has not read yet: Node's fetch and Go's
 * net/http (Gitea's client) report "connection reset" instead of the 413. So, as nginx's
 * lingering close does, the answer goes out complete (its content-length says so) while the
 * rest of the body is read and discarded; the connection closes when the body ends, or after
 * `limitBytes` more, or when the request's time bound (server.requestTimeoutSeconds) cuts it.
 */
export function answerAndDrain(req: IncomingMessage, res: ServerResponse, status: number, line: string, limitBytes = DRAIN_LIMIT_BYTES): void {
  const text = line + "\n";
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text), connection: "close" });
  // write, not end: Node closes a "connection: close" socket as soon as the response ends.
  res.write(text);
  // The body already arrived whole (it ended in the chunk that passed the limit): nothing to drain.
  if (req.complete) return void res.end();
  let seen = 0;
  const onData = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limitBytes) {
      req.off("data", onData);
      req.socket.destroy();
    }
  };
  req.on("data", onData);
  // The whole body is in: closing now leaves nothing unread, so the close is a clean FIN.
  req.once("end", () => res.end());
  req.resume();
}
