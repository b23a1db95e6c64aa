import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Recorded {
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A webhook receiver that answers 200 and keeps what it got (headers and parsed body). */
export class Recorder {
  readonly got: Recorded[] = [];
  private server: Server | null = null;

  async listen(port: number): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.got.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown> });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, "127.0.0.1", r));
    return this;
  }

  /** Where it listens (after `listen`). */
  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/webhook`;
  }

  /** The first delivery of this event (and action, when given) after `from`. */
  find(event: string, action?: string, from = 0): Recorded | undefined {
    return this.got.slice(from).find((d) => d.headers["x-gitea-event"] === event && (action === undefined || d.body.action === action));
  }

  close(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
