/**
 * The local stack's HTTP server (loopback only): the demo PWA from demo/, browser bundles from
 * dist/ (when built) under /dist/, and /roomkey-config.json, which tells clients the NATS
 * WebSocket URL, the login credential (public by design: it may only sign up and log in) and the
 * VAPID public key their push subscriptions must be made with.
 * @example const web = await startStaticServer({ roots: { '/': 'demo', '/dist/': 'dist' }, config });
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { OpsRoutes } from './ops-http.ts';
import { createWebServer, setServerCertificate, type TlsPair } from './tls-http.ts';

export interface ClientConfig {
  version: 1;
  natsWebSocketUrl: string | string[];
  loginJwt: string;
  /** The deployment's VAPID public key (base64url, uncompressed P-256): PushManager's applicationServerKey. */
  vapidPublicKey?: string;
}

export interface StaticServer {
  url: string;
  /** A renewed certificate for new connections (HTTPS only); open ones stay. */
  setCertificate(tls: TlsPair): void;
  stop(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** The browser bundle's URL prefix: the one script tag loads it from any site. */
const BUNDLE_PREFIX = '/dist/';
/**
 * The bundle holds no secrets and is fetched without credentials (a module script is a CORS
 * request), so any origin may load it; without this, a page on another site gets no module at all.
 */
const BUNDLE_CORS = {
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
} as const;

export async function startStaticServer(input: {
  /** URL prefix → directory; missing directories are skipped. */
  roots: Record<string, string>;
  config: ClientConfig;
  port?: number;
  /** The operator's /healthz, /readyz and /metrics (ops-http.ts), answered before any file. */
  ops?: OpsRoutes;
  /** HTTPS with TLS 1.3 only; omitted = plain HTTP (loopback). */
  tls?: TlsPair;
}): Promise<StaticServer> {
  const roots = Object.entries(input.roots)
    .filter(([, dir]) => existsSync(dir))
    .map(([prefix, dir]) => [prefix, resolve(dir)] as const)
    .sort((a, b) => b[0].length - a[0].length);
  const configBody = JSON.stringify(input.config, null, 2);

  const server = createWebServer((req, res) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (!input.ops) serveFiles(req, res);
    else
      input.ops(req, res).then(
        (handled) => handled || serveFiles(req, res),
        () => res.headersSent || res.writeHead(500).end(),
      );
  }, input.tls);
  const serveFiles = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path === '/roomkey-config.json') {
      res.writeHead(200, {
        'Content-Type': TYPES['.json']!,
        'Cache-Control': 'no-store',
        'Access-Control-Allow-Origin': '*',
      });
      res.end(req.method === 'HEAD' ? undefined : configBody);
      return;
    }
    const file = resolveFile(roots, path);
    if (!file) {
      if (path === '/' || path === '/index.html') {
        res.writeHead(200, { 'Content-Type': TYPES['.html']! }).end(placeholderPage());
        return;
      }
      res.writeHead(404, { 'Content-Type': TYPES['.txt']! }).end('not found\n');
      return;
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
      ...(path.startsWith(BUNDLE_PREFIX) ? BUNDLE_CORS : {}),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  };
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(input.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${input.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    setCertificate: (tls) => setServerCertificate(server, tls),
    stop: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** The file for a URL path inside one of the roots, or undefined; never outside a root. */
function resolveFile(roots: ReadonlyArray<readonly [string, string]>, path: string): string | undefined {
  if (path.includes('\0')) return undefined;
  for (const [prefix, dir] of roots) {
    if (!path.startsWith(prefix)) continue;
    let file = normalize(join(dir, path.slice(prefix.length)));
    if (file !== dir && !file.startsWith(dir + sep)) return undefined;
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      if (statSync(file).isFile()) return file;
    } catch {
      // not in this root: try the next
    }
  }
  return undefined;
}

function placeholderPage(): string {
  return `<!doctype html><meta charset="utf-8"><title>RoomKey local stack</title>
<h1>RoomKey local stack</h1>
<p>NATS and the gateway are running. The demo PWA is not built yet (demo/ has no index.html).</p>
<p>Client configuration: <a href="/roomkey-config.json">/roomkey-config.json</a></p>
`;
}
