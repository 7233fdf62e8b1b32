/**
 * `roomkey-gateway restore DIR`: puts a backup's streams back through JetStream's own restore API.
 * Before anything reaches the server it checks the manifest, every file's size and SHA-256, and
 * that the data directory is the deployment the backup came from (same operator, accounts and
 * server secret: under another secret no gateway could open the restored records). A stream that
 * exists is left alone and the restore refused, unless `replace` (then it is deleted first).
 * After each stream it checks the server holds the messages the manifest says.
 * Run it with every gateway stopped: a running gateway makes empty buckets and room streams.
 * @example await runRestore({ dir: '/backups/monday', dataDir: '.roomkey', servers, gatewayCreds, appCreds });
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { ConflictError, MalformedError, TamperedError } from '../core/errors.ts';
import { type AccountOptions, connectAccounts, fileChunks, fileDigest, size } from './backup-files.ts';
import {
  type DeploymentId,
  deploymentOf,
  MANIFEST_FILE,
  type Manifest,
  parseManifest,
  streamFile,
} from './backup-manifest.ts';
import { readStack } from './data-dir.ts';
import { restoreStream } from './restore-stream.ts';

export interface RestoreOptions extends AccountOptions {
  /** The backup directory (as `backup` wrote it). */
  dir: string;
  /** The deployment's data directory: the same deployment the backup came from. */
  dataDir: string;
  /** Delete streams that exist and restore them from the backup. */
  replace?: boolean;
  /** Restore every stream with this many replicas (e.g. 1 on a single server from a cluster's backup). */
  replicas?: number;
  log?: (line: string) => void;
}

/**
 * Checks, then restores every stream of the backup in `dir`; returns its manifest.
 * @example await runRestore({ ...options, replace: true });
 */
export async function runRestore(options: RestoreOptions): Promise<Manifest> {
  const log = options.log ?? (() => undefined);
  const manifest = parseManifest(readManifest(options.dir));
  checkFiles(options.dir, manifest, log);
  checkDeployment(manifest.deployment, deploymentOf(readStack(options.dataDir)), options.dataDir);
  const accounts = await connectAccounts(options);
  try {
    const existing: string[] = [];
    for (const entry of manifest.streams) {
      const jsm = await jetstreamManager(accounts.of(entry.account));
      const info = await jsm.streams.info(entry.config.name).catch((error: Error) => {
        if (/stream not found/i.test(error.message)) return undefined;
        throw error;
      });
      if (info) existing.push(`${entry.config.name} (${info.state.messages} message(s))`);
    }
    if (existing.length > 0 && !options.replace) {
      throw new ConflictError(
        `${existing.length} stream(s) of the backup exist on the server: ${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ', …' : ''}. Nothing was changed. Stop every gateway and restore with --replace to delete them and put the backup's in their place.`,
      );
    }
    let done = 0;
    for (const entry of manifest.streams) {
      const name = entry.config.name;
      const nc = accounts.of(entry.account);
      if (options.replace) await (await jetstreamManager(nc)).streams.delete(name).catch(() => false);
      const config =
        options.replicas === undefined ? entry.config : { ...entry.config, num_replicas: options.replicas };
      const restored = await restoreStream(
        nc,
        { config, state: entry.state },
        withProgress(fileChunks(streamFile(options.dir, entry.account, name)), name, log),
      );
      if (
        restored.state.messages !== entry.state.messages ||
        restored.state.last_seq !== entry.state.last_seq
      ) {
        throw new TamperedError(
          `${name} came back with ${restored.state.messages} message(s) up to sequence ${restored.state.last_seq}, but the backup recorded ${entry.state.messages} up to ${entry.state.last_seq}. Do not start the gateways on it; restore again with --replace.`,
        );
      }
      log(
        `restore: [${++done}/${manifest.streams.length}] ${name} (${entry.account}): ${restored.state.messages} message(s), ${size(entry.bytes)}`,
      );
    }
    log(`restore: done, ${done} stream(s) from the backup of ${manifest.createdAt}. Start the gateways now.`);
    return manifest;
  } finally {
    await accounts.close();
  }
}

const PROGRESS_BYTES = 64 * 1024 * 1024;

/** Passes the chunks on, with a line every 64 MiB: a big room stream takes minutes. */
function* withProgress(
  chunks: Iterable<Uint8Array>,
  name: string,
  log: (line: string) => void,
): Generator<Uint8Array> {
  let sent = 0;
  for (const chunk of chunks) {
    yield chunk;
    sent += chunk.length;
    if (sent % PROGRESS_BYTES < chunk.length) log(`restore: ${name}: ${size(sent)} sent…`);
  }
}

function readManifest(dir: string): Uint8Array {
  try {
    return readFileSync(join(dir, MANIFEST_FILE));
  } catch {
    throw new MalformedError(
      `${dir} has no readable ${MANIFEST_FILE}: it is not a RoomKey backup, or one that did not finish (the manifest is written last). Nothing was changed.`,
    );
  }
}

/** Every file is there with the size and SHA-256 the manifest recorded, before the server sees any. */
function checkFiles(dir: string, manifest: Manifest, log: (line: string) => void): void {
  for (const entry of manifest.streams) {
    const path = streamFile(dir, entry.account, entry.config.name);
    let digest: { sha256: string; bytes: number };
    try {
      digest = fileDigest(path);
    } catch {
      throw new TamperedError(`${path} is missing: the backup is incomplete. Nothing was changed.`);
    }
    if (digest.bytes !== entry.bytes || digest.sha256 !== entry.sha256) {
      throw new TamperedError(
        `${path} does not match the manifest (SHA-256 or size differs): the backup is damaged. Nothing was changed; restore from another backup.`,
      );
    }
  }
  log(
    `restore: ${manifest.streams.length} file(s) match the manifest (backup of ${manifest.createdAt}, RoomKey ${manifest.roomkeyVersion}, nats-server ${manifest.natsServerVersion})`,
  );
}

function checkDeployment(backup: DeploymentId, here: DeploymentId, dataDir: string): void {
  const differs = (Object.keys(backup) as (keyof DeploymentId)[]).filter((k) => backup[k] !== here[k]);
  if (differs.length === 0) return;
  throw new ConflictError(
    `This backup belongs to another deployment than ${dataDir} (${differs.join(', ')} differ${differs.length === 1 ? 's' : ''}): its records would not open here. Restore with --data set to the data directory it came from (or one made from its secrets/). Nothing was changed.`,
  );
}
