import type { Server, ServerOptions } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";

export interface ConnectionLimits {
  /** Headers and body must all have arrived within this time (docs/design.md#security: bounded everything). */
  requestTimeoutMs: number;
  maxConnections: number;
}

/**
 * Options for `createServer`: Node checks for expired requests every
 * `connectionsCheckingInterval` (30 s by default), so a 30 s bound could take a minute to bite;
 * checking a few times per bound keeps a slow sender's life close to the bound.
 */
export function serverOptions(limits: ConnectionLimits): ServerOptions {
  return { connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.requestTimeoutMs / 4))) };
}

/**
 * Cuts off slow senders and bounds the connections held at once. Node's own request timer
 * (`requestTimeout`, 300 s by default, and `headersTimeout`, 60 s) covers headers and body
 * alike; when it fires, the client is told so in one line (408) and the connection closed.
 * Connections over `maxConnections` are closed by Node as they arrive (its `drop` event).
 */
export function limitConnections(server: Server, limits: ConnectionLimits, d: { log: Logger; metrics: Pick<Metrics, "connectionsRefused"> }): void {
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = limits.requestTimeoutMs;
  server.maxConnections = limits.maxConnections;
  let lastDropLog = 0;
  server.on("drop", () => {
    d.metrics.connectionsRefused.inc({ reason: "max_connections" });
    // One line a minute at most: a flood must not flood the log too.
    if (Date.now() - lastDropLog > 60_000) {
      lastDropLog = Date.now();
      d.log.warn({ maxConnections: limits.maxConnections }, "connection refused: server.maxConnections connections are open");
    }
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    const timedOut = err.code === "ERR_HTTP_REQUEST_TIMEOUT";
    if (timedOut) d.metrics.connectionsRefused.inc({ reason: "timeout" });
    // What Node would answer without this listener (lib/_http_server.js socketOnError), with a
    // line that says what was wrong; nothing is written once an answer has begun.
    const response = (socket as Socket & { _httpMessage?: { headersSent: boolean } })._httpMessage;
    if (socket.writable && !response?.headersSent) {
      const text = timedOut
        ? `the request did not arrive within ${limits.requestTimeoutMs / 1000} s\n`
        : err.code === "HPE_HEADER_OVERFLOW"
          ? "request headers are too large\n"
          : "malformed HTTP request\n";
      const status = timedOut ? "408 Request Timeout" : err.code === "HPE_HEADER_OVERFLOW" ? "431 Request Header Fields Too Large" : "400 Bad Request";
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    }
    socket.destroySoon();
  });
}
