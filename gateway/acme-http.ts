/**
 * The HTTP-01 responder (RFC 8555 §8.3): GET /.well-known/acme-challenge/<token> answers the key
 * authorization the renewing gateway put into KV, so the CA may reach any gateway on port 80. It
 * can share a listener (as routes) or run alone on port 80 (`start --acme-http-port 80`), where
 * every other path is redirected to https.
 * @example const http01 = await startAcmeHttp({ store, port: 80, host: '0.0.0.0' });
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CertStore } from './cert-store.ts';
import type { OpsRoutes } from './ops-http.ts';

export const ACME_CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/**
 * Routes that answer ACME HTTP-01 challenges from the store; false for any other path.
 * @example const routes = acmeChallengeRoutes(store); if (!(await routes(req, res))) serveOther(req, res);
 */
export function acmeChallengeRoutes(store: Pick<CertStore, 'challenge'>): OpsRoutes {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (!path.startsWith(ACME_CHALLENGE_PREFIX)) return false;
    const keyAuthorization =
      req.method === 'GET' || req.method === 'HEAD'
        ? await store.challenge(path.slice(ACME_CHALLENGE_PREFIX.length))
        : undefined;
    if (keyAuthorization === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('no such challenge\n');
    } else {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : keyAuthorization);
    }
    return true;
  };
}

/**
 * A plain HTTP listener for port 80: challenges, and a redirect to https for everything else.
 * @example const http01 = await startAcmeHttp({ store, port: 80, host: '0.0.0.0' }); await http01.stop();
 */
export async function startAcmeHttp(input: {
  store: Pick<CertStore, 'challenge'>;
  port: number;
  host?: string;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const routes = acmeChallengeRoutes(input.store);
  const server = createServer((req, res) => {
    routes(req, res).then(
      (handled) => {
        if (handled) return;
        const host = (req.headers.host ?? '').replace(/:\d+$/, '');
        if (!/^[a-z0-9.-]{1,253}$/i.test(host)) res.writeHead(400).end();
        else
          res
            .writeHead(301, { Location: `https://${host}${req.url?.startsWith('/') ? req.url : '/'}` })
            .end();
      },
      () => res.headersSent || res.writeHead(500).end(),
    );
  });
  const host = input.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(input.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
