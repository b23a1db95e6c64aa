// HTTP clients as the intake meets them: Node's fetch, Node's http client, a raw-socket client
// that writes the whole body before it reads (as Go's net/http does with a small body it has
// already buffered), and slow senders that trickle their headers or body.
import { request } from "node:http";
import { connect, type Socket } from "node:net";

export type ClientName = "fetch" | "http" | "raw";
export const CLIENTS: readonly ClientName[] = ["fetch", "http", "raw"];

/** POSTs to /webhook with `client`; resolves with the status it read, or the error it met. */
export function post(client: ClientName, port: number, headers: Record<string, string>, body: Buffer): Promise<{ status: number } | { error: string }> {
  if (client === "fetch") {
    return fetch(`http://127.0.0.1:${port}/webhook`, { method: "POST", headers, body })
      .then(async (r) => (await r.text(), { status: r.status }))
      .catch((err: Error) => ({ error: String((err.cause as Error | undefined)?.message ?? err.message) }));
  }
  if (client === "http") {
    return new Promise((resolve) => {
      const req = request({ host: "127.0.0.1", port, path: "/webhook", method: "POST", headers: { ...headers, "content-length": String(body.length) }, agent: false }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
        res.on("error", (err) => resolve({ error: err.message }));
      });
      req.on("error", (err) => resolve({ error: err.message }));
      req.end(body);
    });
  }
  return rawPost(port, headers, body);
}

/** Writes the request line, headers and the whole body, and only then reads the answer. */
export function rawPost(port: number, headers: Record<string, string>, body: Buffer): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let response = "";
    let settled = false;
    const done = (r: { status: number } | { error: string }) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(r);
    };
    socket.on("error", (err) => done({ error: err.message }));
    socket.on("connect", () => {
      socket.pause(); // no reading until the whole body is written
      const head = Object.entries({ ...headers, host: "127.0.0.1", "content-length": String(body.length) }).map(([k, v]) => `${k}: ${v}\r\n`).join("");
      socket.write(`POST /webhook HTTP/1.1\r\n${head}\r\n`);
      socket.write(body, (err) => {
        if (err) return done({ error: err.message });
        socket.resume();
        socket.on("data", (d: Buffer) => {
          response += d.toString("latin1");
          const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
          if (m) done({ status: Number(m[1]) });
        });
        socket.on("end", () => done({ error: "closed without an answer" }));
      });
    });
  });
}

export interface SlowSender {
  connected: boolean;
  /** When the server closed the connection, in ms since the start; null while open. */
  closedAfter: number | null;
  status: number | null;
  /** What the server answered, as text. */
  response: string;
  stop(): void;
}

/** Sends headers (or, with `phase` "headers", part of them) and then one byte per `everyMs`. */
export function slowSender(port: number, phase: "headers" | "body", everyMs = 1000): SlowSender {
  const started = Date.now();
  const socket: Socket = connect(port, "127.0.0.1");
  let timer: NodeJS.Timeout | undefined;
  const s: SlowSender = {
    connected: false,
    closedAfter: null,
    status: null,
    response: "",
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
  socket.on("data", (d: Buffer) => {
    s.response += d.toString("latin1");
    const m = /^HTTP\/1\.1 (\d{3})/.exec(s.response);
    if (m) s.status = Number(m[1]);
  });
  socket.on("close", () => {
    clearInterval(timer);
    s.closedAfter ??= Date.now() - started;
  });
  socket.on("error", () => {});
  socket.on("connect", () => {
    s.connected = true;
    socket.write(
      phase === "headers"
        ? "POST /webhook HTTP/1.1\r\nhost: 127.0.0.1\r\n"
        : "POST /webhook HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nx-gitea-event: push\r\ncontent-length: 100000\r\n\r\n{",
    );
    timer = setInterval(() => {
      if (!socket.destroyed) socket.write(phase === "headers" ? "x" : " ");
    }, everyMs);
  });
  return s;
}

/**
 * Streams up to `max` bytes of a chunked body while reading the answer; resolves when the server
 * closes the connection, with the status it read and how many body bytes went out before that.
 */
export function drainedUntilClosed(port: number, headers: Record<string, string>, max: number): Promise<{ status: number | null; bytes: number }> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let bytes = 0;
    let status: number | null = null;
    let response = "";
    let closed = false;
    socket.on("data", (d: Buffer) => {
      response += d.toString("latin1");
      status ??= Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? NaN) || null;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      closed = true;
      resolve({ status, bytes });
    });
    socket.on("connect", () => {
      const head = Object.entries({ ...headers, host: "127.0.0.1", "transfer-encoding": "chunked" }).map(([k, v]) => `${k}: ${v}\r\n`).join("");
      socket.write(`POST /webhook HTTP/1.1\r\n${head}\r\n`);
      const pump = () => {
        while (!closed && bytes < max) {
          bytes += chunk.length;
          if (!socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString("latin1")}\r\n`, "latin1")) return void socket.once("drain", pump);
        }
        if (!closed) socket.end("0\r\n\r\n");
      };
      pump();
    });
  });
}
