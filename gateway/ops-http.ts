/**
 * The operator's HTTP routes: GET /healthz (200 while the process answers), /readyz (200 or 503
 * with each check's verdict as JSON) and /metrics (Prometheus text). `dev` mounts them on its
 * demo server; `start --http-port N` serves them alone, on loopback unless told otherwise, since
 * metrics describe the deployment and are for the operator's scraper, not the public.
 * @example const ops = await startOpsServer({ routes: opsRoutes({ probe, metrics }), port: 9464 });
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readiness } from './health.ts';
import type { GatewayMetrics } from './metrics.ts';
import { createWebServer, setServerCertificate, type TlsPair } from './tls-http.ts';

/** Answers the request if its path is one of the routes; false to let the caller serve it. */
export type OpsRoutes = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export const OPS_PATHS = ['/healthz', '/readyz', '/metrics'] as const;

/**
 * The three routes over a readiness probe and a metrics registry.
 * @example const routes = opsRoutes({ probe: readinessProbe(gateway.context), metrics });
 */
export function opsRoutes(input: { probe: () => Promise<Readiness>; metrics?: GatewayMetrics }): OpsRoutes {
  return async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!(OPS_PATHS as readonly string[]).includes(path)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return true;
    }
    res.setHeader('Cache-Control', 'no-store');
    if (path === '/healthz') {
      send(res, req, 200, 'application/json; charset=utf-8', '{"status":"ok"}\n');
    } else if (path === '/readyz') {
      const readiness = await input.probe();
      const body = `${JSON.stringify({ status: readiness.ready ? 'ready' : 'not ready', checks: readiness.checks })}\n`;
      send(res, req, readiness.ready ? 200 : 503, 'application/json; charset=utf-8', body);
    } else if (!input.metrics) {
      send(res, req, 404, 'text/plain; charset=utf-8', 'metrics are off\n');
    } else {
      send(res, req, 200, input.metrics.contentType, await input.metrics.text());
    }
    return true;
  };
}

function send(res: ServerResponse, req: IncomingMessage, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export interface OpsServer {
  url: string;
  /** A renewed certificate for new connections (HTTPS only); open ones stay. */
  setCertificate(tls: TlsPair): void;
  stop(): Promise<void>;
}

/**
 * An HTTP listener for the routes alone (the gateway without `dev`'s demo server).
 * @example const ops = await startOpsServer({ routes, port: 0 }); console.log(ops.url);
 */
export async function startOpsServer(input: {
  routes: OpsRoutes;
  port: number;
  host?: string;
  /** HTTPS with TLS 1.3 only; omitted = plain HTTP (loopback). */
  tls?: TlsPair;
}): Promise<OpsServer> {
  const server = createWebServer((req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    input.routes(req, res).then(
      (handled) => {
        if (!handled) res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      },
      () => {
        if (!res.headersSent) res.writeHead(500).end();
      },
    );
  }, input.tls);
  const host = input.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(input.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shown = host.includes(':') ? `[${host}]` : host;
  return {
    url: `${input.tls ? 'https' : 'http'}://${shown}:${port}`,
    setCertificate: (tls) => setServerCertificate(server, tls),
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
