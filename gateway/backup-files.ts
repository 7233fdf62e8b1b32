/**
 * What backup and restore share: the two JetStream accounts' connections (GATEWAY holds the KV
 * buckets, APP the room streams), reading a file in chunks, and its SHA-256.
 * @example const accounts = await connectAccounts(options); ...; await accounts.close();
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { type ConnectionOptions, credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect as tcpConnect } from '@nats-io/transport-node';
import { UnavailableError } from '../core/errors.ts';
import type { BackupAccount } from './backup-manifest.ts';

export interface AccountOptions {
  servers: string[];
  /** The GATEWAY account's service user (DIR/gateway.creds). */
  gatewayCreds: Uint8Array;
  /** The APP account's service user (DIR/gateway-app.creds). */
  appCreds: Uint8Array;
  /** Default: TCP (transport-node); tests in a WebSocket process pass wsconnect. */
  connect?: (options: ConnectionOptions) => Promise<NatsConnection>;
}

export interface Accounts {
  of(account: BackupAccount): NatsConnection;
  /** The version the server reports (kept in the manifest). */
  serverVersion: string;
  close(): Promise<void>;
}

/**
 * One connection per account; fails with UnavailableError naming the servers when none answers.
 * @example const nc = (await connectAccounts(options)).of('app');
 */
export async function connectAccounts(options: AccountOptions): Promise<Accounts> {
  const connect = options.connect ?? tcpConnect;
  const open = async (creds: Uint8Array, name: string) => {
    try {
      return await connect({
        servers: options.servers,
        authenticator: credsAuthenticator(creds),
        name,
        maxReconnectAttempts: 3,
      });
    } catch (error) {
      throw new UnavailableError(
        `Could not connect to NATS at ${options.servers.join(', ')} (${(error as Error).message}): start nats-server with this deployment's config, or pass --nats with its URL.`,
        { cause: error, service: 'nats' },
      );
    }
  };
  const gateway = await open(options.gatewayCreds, 'roomkey-backup');
  let app: NatsConnection;
  try {
    app = await open(options.appCreds, 'roomkey-backup-app');
  } catch (error) {
    await gateway.close();
    throw error;
  }
  return {
    of: (account) => (account === 'gateway' ? gateway : app),
    serverVersion: gateway.info?.version ?? 'unknown',
    close: async () => {
      await Promise.allSettled([gateway.drain(), app.drain()]);
    },
  };
}

const CHUNK_BYTES = 128 * 1024;

/**
 * The file's bytes in chunks of 128 KiB (below any server's max payload), never all at once.
 * @example for (const chunk of fileChunks(path)) hash.update(chunk);
 */
export function* fileChunks(path: string): Generator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const buffer = new Uint8Array(CHUNK_BYTES);
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (n === 0) return;
      yield buffer.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * SHA-256 (hex) and size of a file, read in chunks.
 * @example const { sha256, bytes } = fileDigest(path);
 */
export function fileDigest(path: string): { sha256: string; bytes: number } {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const chunk of fileChunks(path)) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Bytes as a person reads them (KiB, MiB).
 * @example size(3300) // '3.2 KiB'
 */
export function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
