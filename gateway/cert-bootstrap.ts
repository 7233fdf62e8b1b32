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
  ensureDir(dir);
  if (!existsSync(files.certFile) || !existsSync(files.keyFile)) {
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
          '7',
          '-subj',
          `/CN=${names[0]}`,
          '-addext',
          `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`,
          '-keyout',
          files.keyFile,
          '-out',
          files.certFile,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      chmodSync(files.keyFile, 0o600);
    } catch (error) {
      rmSync(files.keyFile, { force: true });
      throw new UnavailableError(
        `Could not make the placeholder certificate with openssl (${(error as Error).message}): install openssl (Debian: apt-get install openssl) and run init again.`,
        { cause: error },
      );
    }
  }
  return { certPem: readFileSync(files.certFile, 'utf8'), keyPem: readFileSync(files.keyFile, 'utf8') };
}
