/**
 * The manifest of a backup directory (`manifest.json`): which deployment it came from, the
 * versions that made it, and per stream its account, config, state, file size and SHA-256.
 * Restore reads it as hostile input: every field is checked, and file paths are derived from the
 * stream names here, never taken from the file.
 *
 * The deployment is named by its public keys and by a fingerprint of the server secret (HKDF, so
 * the backup reveals nothing about the secret) — a backup restored under another secret would
 * hold records no gateway can open.
 * @example const manifest = parseManifest(readFileSync(join(dir, MANIFEST_FILE)));
 */
import { join } from 'node:path';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, toHex, utf8 } from '../core/bytes.ts';
import { MalformedError } from '../core/errors.ts';
import type { SnapshotStart } from './backup-snapshot.ts';
import type { Stack } from './data-dir.ts';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'roomkey-backup';
export const MANIFEST_VERSION = 1;
/** Where `--include-secrets` puts the deployment's secrets, apart from the streams. */
export const SECRETS_DIR = 'secrets';
const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;

/** GATEWAY holds the KV buckets; APP the room shard streams (and any legacy per-room streams). */
export type BackupAccount = 'gateway' | 'app';

export interface DeploymentId {
  operator: string;
  gatewayAccount: string;
  appAccount: string;
  /** HKDF of the server secret: equal secrets, equal ids; the id does not reveal the secret. */
  serverSecretId: string;
}

export interface StreamEntry extends SnapshotStart {
  account: BackupAccount;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  createdAt: string;
  roomkeyVersion: string;
  natsServerVersion: string;
  deployment: DeploymentId;
  /** Whether `secrets/` holds secrets.json and the creds (only with --include-secrets). */
  secretsIncluded: boolean;
  streams: StreamEntry[];
}

/**
 * The deployment a data directory belongs to, as a manifest names it.
 * @example deploymentOf(readStack('.roomkey')).serverSecretId
 */
export function deploymentOf(stack: Stack): DeploymentId {
  const secret = fromHex(stack.secrets.serverSecret);
  const id = hkdf(sha256, secret, utf8('roomkey/v1/backup'), utf8('roomkey/v1/backup/server-secret-id'), 16);
  return {
    operator: stack.public.operator.publicKey,
    gatewayAccount: stack.public.gatewayAccount.publicKey,
    appAccount: stack.public.appAccount.publicKey,
    serverSecretId: toHex(id),
  };
}

/**
 * A stream's snapshot file inside a backup directory (names are checked to be plain tokens).
 * @example streamFile('/backups/monday', 'app', 'RK_ROOMS_0') // '/backups/monday/streams/app/RK_ROOMS_0.tar.s2'
 */
export function streamFile(dir: string, account: BackupAccount, name: string): string {
  checkStreamName(name);
  return join(dir, 'streams', account, `${name}.tar.s2`);
}

const STREAM_NAME = /^[A-Za-z0-9_-]{1,255}$/;

function checkStreamName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !STREAM_NAME.test(name)) {
    throw new MalformedError(
      `The backup manifest names a stream "${String(name).slice(0, 80)}" that is not a plain stream name.`,
    );
  }
}

/**
 * Decodes and checks a manifest; MalformedError says which field is wrong.
 * @example const manifest = parseManifest(bytes);
 */
export function parseManifest(bytes: Uint8Array): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES)
    throw new MalformedError(
      `The backup manifest is larger than ${MAX_MANIFEST_BYTES} bytes: not a RoomKey manifest.`,
    );
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new MalformedError(
      'The backup manifest is not JSON: the backup is damaged or not a RoomKey backup.',
    );
  }
  const m = object(raw, 'manifest');
  if (m['format'] !== MANIFEST_FORMAT)
    throw new MalformedError(`This is not a RoomKey backup (format "${String(m['format'])}").`);
  if (m['version'] !== MANIFEST_VERSION) {
    throw new MalformedError(
      `This backup has manifest version ${String(m['version'])}; this gateway reads version ${MANIFEST_VERSION}. Restore it with the RoomKey version that made it.`,
    );
  }
  const d = object(m['deployment'], 'deployment');
  const deployment: DeploymentId = {
    operator: text(d['operator'], 'deployment.operator'),
    gatewayAccount: text(d['gatewayAccount'], 'deployment.gatewayAccount'),
    appAccount: text(d['appAccount'], 'deployment.appAccount'),
    serverSecretId: text(d['serverSecretId'], 'deployment.serverSecretId'),
  };
  if (!Array.isArray(m['streams'])) throw new MalformedError('The backup manifest lists no streams.');
  const seen = new Set<string>();
  const streams = m['streams'].map((value, i): StreamEntry => {
    const s = object(value, `streams[${i}]`);
    const account = s['account'];
    if (account !== 'gateway' && account !== 'app')
      throw new MalformedError(`streams[${i}].account must be "gateway" or "app".`);
    const config = object(s['config'], `streams[${i}].config`);
    checkStreamName(config['name']);
    const state = object(s['state'], `streams[${i}].state`);
    const key = `${account}/${config['name']}`;
    if (seen.has(key)) throw new MalformedError(`The backup manifest lists ${key} twice.`);
    seen.add(key);
    const sum = text(s['sha256'], `streams[${i}].sha256`);
    if (!/^[0-9a-f]{64}$/.test(sum))
      throw new MalformedError(`streams[${i}].sha256 is not a SHA-256 in hex.`);
    return {
      account,
      config: config as StreamEntry['config'],
      state: {
        ...state,
        messages: count(state['messages'], `streams[${i}].state.messages`),
        first_seq: count(state['first_seq'], `streams[${i}].state.first_seq`),
        last_seq: count(state['last_seq'], `streams[${i}].state.last_seq`),
      },
      bytes: count(s['bytes'], `streams[${i}].bytes`),
      sha256: sum,
    };
  });
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    createdAt: text(m['createdAt'], 'createdAt'),
    roomkeyVersion: text(m['roomkeyVersion'], 'roomkeyVersion'),
    natsServerVersion: text(m['natsServerVersion'], 'natsServerVersion'),
    deployment,
    secretsIncluded: m['secretsIncluded'] === true,
    streams,
  };
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new MalformedError(`The backup manifest's ${what} is not an object.`);
  return value as Record<string, unknown>;
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length > 4096)
    throw new MalformedError(`The backup manifest's ${what} is not a string.`);
  return value;
}

function count(value: unknown, what: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw new MalformedError(`The backup manifest's ${what} is not a count.`);
  return value as number;
}
