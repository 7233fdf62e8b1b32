/**
 * The gateway's HTTP listeners (config and static files, ops) as HTTPS with TLS 1.3 only when a
 * certificate is given, plain HTTP on loopback otherwise. A renewed certificate goes in with
 * setSecureContext: new handshakes get it, open connections keep theirs, nobody is dropped.
 * @example const server = createWebServer(handler, { certPem, keyPem }); setServerCertificate(server, renewed);
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { UnsupportedError } from '../core/errors.ts';
import { NODE_TLS13_ONLY } from './tls-policy.ts';

/** A certificate chain and its private key, PEM. */
export interface TlsPair {
  certPem: string;
  keyPem: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * An HTTPS server (TLS 1.3 only) for `tls`, else an HTTP one.
 * @example const server = createWebServer((req, res) => res.end('ok'), pair);
 */
export function createWebServer(handler: Handler, tls?: TlsPair): Server | HttpsServer {
  if (!tls) return createHttpServer(handler);
  return createHttpsServer({ ...NODE_TLS13_ONLY, cert: tls.certPem, key: tls.keyPem }, handler);
}

/**
 * Serves `tls` to every new handshake of an HTTPS server from now on; open connections stay.
 * @example setServerCertificate(server, { certPem, keyPem });
 */
export function setServerCertificate(server: Server | HttpsServer, tls: TlsPair): void {
  if (!('setSecureContext' in server)) {
    throw new UnsupportedError(
      'This listener was started without TLS: restart it with a certificate to serve one.',
    );
  }
  server.setSecureContext({ ...NODE_TLS13_ONLY, cert: tls.certPem, key: tls.keyPem });
}
