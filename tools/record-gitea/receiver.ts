import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One webhook delivery as it reached the receiver. */
export interface Delivery {
  /** Header names lower-cased, in arrival order, without `host` (the receiver's own address). */
  headers: Record<string, string>;
  /** The exact body bytes: signatures are computed over these. */
  body: Buffer;
  /** When it arrived (ms since the epoch). */
  at: number;
}

/** Headers from node's raw list: names lower-cased, order kept, a repeated name joined with ", ". */
export function headersOf(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === "host") continue;
    out[name] = name in out ? `${out[name]}, ${raw[i + 1]!}` : raw[i + 1]!;
  }
  return out;
}

/** A loopback HTTP receiver that answers 200 to every request and keeps what it got. */
export class Receiver {
  readonly got: Delivery[] = [];
  private server: Server | null = null;

  async listen(host = "127.0.0.1", port = 0): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.got.push({ headers: headersOf(req.rawHeaders), body: Buffer.concat(chunks), at: Date.now() });
        res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve());
    });
    return this;
  }

  /** The URL a forge delivers to. */
  url(path = "/hook"): string {
    const a = this.server?.address() as AddressInfo | null;
    if (!a) throw new Error("the receiver is not listening");
    return `http://${a.address}:${a.port}${path}`;
  }

  /** When the last delivery arrived (0 when none has). */
  lastAt(): number {
    return this.got.at(-1)?.at ?? 0;
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }
}
