/**
 * TLS 1.3 and nothing older, on every listener a browser or another server reaches. Node's
 * servers take `minVersion`. nats-server 2.9.10 has no `min_version` (its config parser refuses
 * the field; it came in 2.10), so its `tls {}` blocks list only the TLS 1.3 cipher suites: Go
 * always offers its fixed TLS 1.3 suites, and a TLS 1.2 client finds no suite it shares with the
 * server and is refused in the handshake ("no cipher suite supported by both client and server").
 * @example https.createServer({ ...NODE_TLS13_ONLY, cert, key }, handler)
 */

/** Options for node:https / node:tls servers and secure contexts. */
export const NODE_TLS13_ONLY = { minVersion: 'TLSv1.3' } as const;

/** Go's names of the TLS 1.3 suites; with only these, nats-server 2.9 cannot speak TLS 1.2. */
export const NATS_TLS13_CIPHER_SUITES = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
] as const;

/** The certificate and key files nats-server reads (again on SIGHUP). */
export interface NatsTlsFiles {
  certFile: string;
  keyFile: string;
  /**
   * Routes only: a deployment-private certificate (init makes it, for every node's address) that
   * is also the only CA routes trust, both ways (mutual TLS). Not the ACME one: routes are between
   * our own servers, must work before the first ACME order (which needs the cluster up) and dial
   * nodes by address, which a public certificate does not name.
   */
  route?: { certFile: string; keyFile: string };
}

/**
 * A nats-server `tls { … }` block (client port, websocket or cluster), TLS 1.3 only.
 * `timeout` is the handshake's, in seconds: 2.9's default 0.5 s is short for a browser far away.
 * @example natsTlsBlock({ certFile: '/srv/roomkey/tls/cert.pem', keyFile: '/srv/roomkey/tls/key.pem' }, '  ')
 */
export function natsTlsBlock(files: NatsTlsFiles, indent = '', forRoutes = false): string[] {
  const q = (s: string) => JSON.stringify(s);
  const own = forRoutes && files.route ? files.route : files;
  return [
    `${indent}tls {`,
    `${indent}  cert_file: ${q(own.certFile)}`,
    `${indent}  key_file: ${q(own.keyFile)}`,
    ...(forRoutes && files.route
      ? [`${indent}  ca_file: ${q(files.route.certFile)}`, `${indent}  verify: true`]
      : []),
    `${indent}  cipher_suites: [${NATS_TLS13_CIPHER_SUITES.map(q).join(', ')}]`,
    `${indent}  timeout: 5`,
    `${indent}}`,
  ];
}

/**
 * Whether a listener on `host` is reachable only from this machine (then it needs no TLS).
 * @example isLoopbackHost('127.0.0.1') // true
 */
export function isLoopbackHost(host: string | undefined): boolean {
  return host === undefined || host === 'localhost' || host === '::1' || host.startsWith('127.');
}
