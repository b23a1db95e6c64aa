import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A loopback TCP forwarder in front of a real server, which a test can take down and bring
 * back: `cut` refuses connections (nothing listens: a server that is down), `hang` accepts them
 * and never answers (a server that stopped answering; requests run into the client's timeout),
 * `restore` forwards again on the same port. Taking it down drops every open connection; held
 * connections are dropped on restore. The server behind keeps its state, as a restarted
 * `opencode serve` keeps its sessions on disk.
 */
export class TcpGate {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private mode: "open" | "hang" = "open";
  /** Connections accepted while hanging. */
  held = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  static of(url: string): TcpGate {
    const u = new URL(url);
    return new TcpGate({ host: u.hostname, port: Number(u.port) });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async open(): Promise<this> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Refused from now on; open connections dropped. */
  async cut(): Promise<void> {
    this.drop();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  /** Accepted and never answered from now on; open connections dropped. */
  hang(): void {
    this.mode = "hang";
    this.drop();
  }

  /** Forwards again (held connections are dropped: their requests failed). */
  async restore(): Promise<void> {
    this.mode = "open";
    this.drop();
    if (!this.server) await this.open();
  }

  async close(): Promise<void> {
    await this.cut();
  }

  private accept(client: Socket): void {
    this.track(client);
    if (this.mode === "hang") {
      this.held++;
      client.on("error", () => undefined);
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    this.track(upstream);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.pipe(upstream).pipe(client);
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on("close", () => this.sockets.delete(s));
  }

  private drop(): void {
    for (const s of this.sockets) s.destroy();
  }
}
