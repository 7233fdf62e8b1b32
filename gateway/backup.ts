/**
 * `roomkey-gateway backup DIR`: every stream of the deployment's two JetStream accounts — the
 * gateway's KV buckets (sealed records) first, then the room streams (ciphertext) — through
 * JetStream's own snapshot API, one file per stream, and a manifest with versions, counts and
 * SHA-256 written last (a backup without one is unfinished and restore refuses it).
 *
 * Buckets before rooms: a backup taken while gateways run is then never behind in history what
 * the directory records (a room record's commits are all in the room streams); stop the gateways
 * for an exact point in time.
 *
 * The secrets (secrets.json, creds) are not written unless asked: without them the backup is
 * ciphertext and sealed records only, so it can be stored where the data directory may not.
 * @example await runBackup({ dir: '/backups/monday', dataDir: '.roomkey', servers, gatewayCreds, appCreds });
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { ConflictError } from '../core/errors.ts';
import { type AccountOptions, connectAccounts, size } from './backup-files.ts';
import {
  type BackupAccount,
  deploymentOf,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  type Manifest,
  SECRETS_DIR,
  type StreamEntry,
  streamFile,
} from './backup-manifest.ts';
import { snapshotStream } from './backup-snapshot.ts';
import { ensureDir, readStack, stackPaths, writeSecretFile } from './data-dir.ts';

export interface BackupOptions extends AccountOptions {
  /** The backup directory: new or empty. */
  dir: string;
  /** The deployment's data directory (its keys name the deployment in the manifest). */
  dataDir: string;
  /** Also copy secrets.json and the creds into DIR/secrets/ (mode 600). */
  includeSecrets?: boolean;
  log?: (line: string) => void;
}

const PROGRESS_BYTES = 64 * 1024 * 1024;

/** The accounts in backup order: buckets before room streams (see the top of this file). */
const ACCOUNTS: BackupAccount[] = ['gateway', 'app'];

/**
 * Writes a backup of every stream and bucket into `dir`; returns the manifest it wrote.
 * @example const manifest = await runBackup(options); manifest.streams.length
 */
export async function runBackup(options: BackupOptions): Promise<Manifest> {
  const log = options.log ?? (() => undefined);
  const stack = readStack(options.dataDir);
  if (existsSync(options.dir) && readdirSync(options.dir).length > 0) {
    throw new ConflictError(
      `${options.dir} is not empty: give a new directory (a backup is never written over another).`,
    );
  }
  ensureDir(options.dir);
  const accounts = await connectAccounts(options);
  try {
    const names = new Map<BackupAccount, string[]>();
    for (const account of ACCOUNTS) {
      const jsm = await jetstreamManager(accounts.of(account));
      const listed: string[] = [];
      for await (const name of jsm.streams.names()) listed.push(name);
      names.set(account, listed.sort());
    }
    const total = [...names.values()].reduce((n, list) => n + list.length, 0);
    const streams: StreamEntry[] = [];
    for (const account of ACCOUNTS) {
      for (const name of names.get(account) ?? []) {
        const entry = await backUpStream(options.dir, account, name, accounts.of(account), log);
        streams.push(entry);
        log(
          `backup: [${streams.length}/${total}] ${name} (${account}): ${entry.state.messages} message(s), ${size(entry.bytes)}`,
        );
      }
    }
    // The public half of the data directory: harmless, and restore on a new machine needs it.
    copyFileSync(stackPaths(options.dataDir).public, join(options.dir, 'roomkey.json'));
    if (options.includeSecrets) copySecrets(options.dataDir, options.dir, log);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      createdAt: new Date().toISOString(),
      roomkeyVersion: roomkeyVersion(),
      natsServerVersion: accounts.serverVersion,
      deployment: deploymentOf(stack),
      secretsIncluded: options.includeSecrets === true,
      streams,
    };
    const partial = join(options.dir, `${MANIFEST_FILE}.partial`);
    writeFileSync(partial, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    renameSync(partial, join(options.dir, MANIFEST_FILE));
    const bytes = streams.reduce((n, s) => n + s.bytes, 0);
    log(`backup: done, ${streams.length} stream(s), ${size(bytes)} in ${options.dir}`);
    if (!options.includeSecrets) {
      log(
        `backup: the secrets are NOT in this backup. Restoring needs this deployment's data directory (${stackPaths(options.dataDir).root}: secrets.json, the creds): keep a copy of it somewhere safe and apart from the backups, or run backup with --include-secrets.`,
      );
    }
    return manifest;
  } finally {
    await accounts.close();
  }
}

async function backUpStream(
  dir: string,
  account: BackupAccount,
  name: string,
  nc: Parameters<typeof snapshotStream>[0],
  log: (line: string) => void,
): Promise<StreamEntry> {
  const path = streamFile(dir, account, name);
  ensureDir(dirname(path));
  const fd = openSync(path, 'wx', 0o600);
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    const start = await snapshotStream(nc, name, (chunk) => {
      writeSync(fd, chunk);
      hash.update(chunk);
      bytes += chunk.length;
      // A big room stream takes minutes: say it is moving.
      if (bytes % PROGRESS_BYTES < chunk.length) log(`backup: ${name}: ${size(bytes)} so far…`);
    });
    return { account, config: start.config, state: start.state, bytes, sha256: hash.digest('hex') };
  } finally {
    closeSync(fd);
  }
}

function copySecrets(dataDir: string, dir: string, log: (line: string) => void): void {
  const paths = stackPaths(dataDir);
  const target = join(dir, SECRETS_DIR);
  ensureDir(target);
  for (const file of [paths.secrets, paths.gatewayCreds, paths.gatewayAppCreds, paths.sysCreds]) {
    writeSecretFile(join(target, file.slice(paths.root.length + 1)), readFileSync(file));
  }
  log(
    `backup: WARNING: ${target} holds this deployment's secrets (the server secret that opens every sealed record, the account keys that sign every JWT). Anyone with it can act as the server: store it encrypted and apart from the streams, or delete it and keep the data directory's secrets elsewhere.`,
  );
}

function roomkeyVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
