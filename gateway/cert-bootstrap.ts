/**
 * The placeholder certificate `init --tls-names` writes so that nats-server can start with its
 * `tls {}` blocks before the first ACME order (which needs NATS running to store its result): a
 * self-signed ECDSA P-256 certificate for the names, valid 7 days, made by openssl. Nobody should
 * trust it; the first gateway to start replaces it within seconds, and readiness says not ready
 * until then.
 * @example writeBootstrapCertificate('/srv/roomkey/tls', ['chat.example.org']);
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join } from 'node:path';
import { UnavailableError } from '../core/errors.ts';
import { natsCertFiles } from './cert-serving.ts';
import { ensureDir } from './data-dir.ts';
import type { TlsPair } from './tls-http.ts';

/**
 * Writes cert.pem and key.pem (mode 600) into `dir` unless a certificate is already there.
 * @example const pair = writeBootstrapCertificate(tlsPaths(dir).certDir, settings.names);
 */
export function writeBootstrapCertificate(dir: string, names: string[]): TlsPair {
  const files = natsCertFiles(dir);
  return selfSigned(files, names, 7, 'the placeholder certificate');
}

/**
 * The routes' own certificate (route-cert.pem, route-key.pem in `dir`): self-signed, for every
 * node's address, 10 years; every node presents it and trusts only it (tls-policy.ts).
 * @example const files = writeRouteCertificate('/srv/roomkey/tls', ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
 */
export function writeRouteCertificate(dir: string, hosts: string[]): { certFile: string; keyFile: string } {
  const files = { certFile: join(dir, 'route-cert.pem'), keyFile: join(dir, 'route-key.pem') };
  selfSigned(files, ['roomkey-routes', ...hosts], 3650, 'the routes’ certificate');
  return files;
}

function selfSigned(
  files: { certFile: string; keyFile: string },
  names: string[],
  days: number,
  what: string,
): TlsPair {
  ensureDir(dirname(files.certFile));
  if (!existsSync(files.certFile) || !existsSync(files.keyFile)) {
    const san = names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          String(days),
        ]
          .concat(['-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${san}`])
          .concat(['-keyout', files.keyFile, '-out', files.certFile]),
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      chmodSync(files.keyFile, 0o600);
    } catch (error) {
      rmSync(files.keyFile, { force: true });
      throw new UnavailableError(
        `Could not make ${what} with openssl (${(error as Error).message}): install openssl (Debian: apt-get install openssl) and run init again.`,
        { cause: error },
      );
    }
  }
  return { certPem: readFileSync(files.certFile, 'utf8'), keyPem: readFileSync(files.keyFile, 'utf8') };
}
