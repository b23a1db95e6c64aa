import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics.ts";
import { limitConnections, serverOptions, type ConnectionLimits } from "./connection-limits.ts";

/**
 * The HTTP server: `/webhook` goes straight to the intake on Node's request (it streams and
 * bounds the body itself), everything else to the web app. Resolves once it listens.
 */
export async function listen(d: {
  host: string;
  port: number;
  limits: ConnectionLimits;
  intake: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  app: { fetch: (req: Request) => Response | Promise<Response> };
  log: Logger;
  metrics: Pick<Metrics, "connectionsRefused">;
}): Promise<{ server: Server; port: number }> {
  const rest = getRequestListener(d.app.fetch);
  const server = createServer(serverOptions(d.limits), (req, res) => {
    if (req.url === "/webhook" || req.url?.startsWith("/webhook?")) {
      d.intake(req, res).catch((err: unknown) => {
        d.log.error({ err }, "intake failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" }).end("internal error\n");
      });
      return;
    }
    void rest(req, res);
  });
  server.keepAliveTimeout = 5_000;
  limitConnections(server, d.limits, { log: d.log.child({ component: "server" }), metrics: d.metrics });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(d.port, d.host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
