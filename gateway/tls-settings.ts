/**
 * A deployment's TLS settings, DIR/tls.json, written by `init --tls-names … --acme-directory …`:
 * the names the certificate covers, the ACME directory and contact, and where nats-server reads
 * its certificate files. Public (no key inside: keys live sealed in KV and in `certDir`, mode 600).
 * @example const tls = readTlsSettings('.roomkey'); if (tls) startTlsService({ settings: tls, ... });
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MalformedError } from '../core/errors.ts';
import { stackPaths } from './data-dir.ts';

export interface TlsSettings {
  version: 1;
  /** DNS names browsers and servers reach the deployment by; the first is the common name. */
  names: string[];
  /** ACME directory URL (Let's Encrypt: https://acme-v02.api.letsencrypt.org/directory). */
  acmeDirectory: string;
  acmeEmail?: string;
  /** Directory of cert.pem / key.pem that the nats-server configs name. */
  certDir: string;
}

export const LETS_ENCRYPT_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';
const DNS_NAME =
  /^(?=.{1,253}$)(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/**
 * DIR/tls.json's path and the default certificate directory DIR/tls/.
 * @example tlsPaths('.roomkey').settings // '/…/.roomkey/tls.json'
 */
export function tlsPaths(dir: string): { settings: string; certDir: string } {
  const root = stackPaths(dir).root;
  return { settings: join(root, 'tls.json'), certDir: join(root, 'tls') };
}

/**
 * Checks operator input: DNS names (no IPs, no URLs) and an https ACME directory.
 * @example const settings = tlsSettingsFrom({ names: 'chat.example.org', acmeDirectory: LETS_ENCRYPT_DIRECTORY, certDir });
 */
export function tlsSettingsFrom(input: {
  names: string;
  acmeDirectory?: string;
  acmeEmail?: string;
  certDir: string;
}): TlsSettings {
  const names = input.names
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0)
    throw new MalformedError('--tls-names needs at least one DNS name, e.g. chat.example.org.');
  for (const name of names) {
    if (!DNS_NAME.test(name) || /^[\d.]+$/.test(name))
      throw new MalformedError(
        `--tls-names: "${name}" is not a DNS name (give names like chat.example.org, no scheme or port).`,
      );
  }
  const acmeDirectory = input.acmeDirectory ?? LETS_ENCRYPT_DIRECTORY;
  let url: URL;
  try {
    url = new URL(acmeDirectory);
  } catch {
    throw new MalformedError(`--acme-directory must be a URL (got ${acmeDirectory}).`);
  }
  if (url.protocol !== 'https:')
    throw new MalformedError('--acme-directory must be an https: URL (RFC 8555 requires it).');
  if (input.acmeEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(input.acmeEmail))
    throw new MalformedError(`--acme-email must be an email address (got ${input.acmeEmail}).`);
  return {
    version: 1,
    names,
    acmeDirectory,
    ...(input.acmeEmail ? { acmeEmail: input.acmeEmail } : {}),
    certDir: input.certDir,
  };
}

export function writeTlsSettings(dir: string, settings: TlsSettings): void {
  writeFileSync(tlsPaths(dir).settings, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o644 });
}

/**
 * The settings of `dir`, or undefined when the deployment has no TLS (plain ws on loopback).
 * @example const tls = readTlsSettings('.roomkey');
 */
export function readTlsSettings(dir: string): TlsSettings | undefined {
  const file = tlsPaths(dir).settings;
  if (!existsSync(file)) return undefined;
  const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<TlsSettings>;
  if (value.version !== 1 || !Array.isArray(value.names) || typeof value.certDir !== 'string')
    throw new MalformedError(`${file} is not a RoomKey TLS settings file: run init --tls-names again.`);
  return tlsSettingsFrom({
    names: value.names.join(','),
    ...(value.acmeDirectory ? { acmeDirectory: value.acmeDirectory } : {}),
    ...(value.acmeEmail ? { acmeEmail: value.acmeEmail } : {}),
    certDir: value.certDir,
  });
}
