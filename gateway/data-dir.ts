/**
 * The gateway's data directory (default ./.roomkey/): everything `init` makes, and the only state
 * a gateway has. Public material and secrets live in separate files; secrets are mode 600.
 *   roomkey.json      public: operator and account keys, account JWTs, the login JWT
 *   secrets.json      seeds, the server secret, the OPAQUE server setup          (600)
 *   gateway.creds     the gateway's service user in the gateway account          (600)
 *   gateway-app.creds a service user in the app account (room streams, later)    (600)
 *   sys.creds         a system-account user: pushes account JWT updates          (600)
 *   nats-server.conf  a config for running nats-server yourself (fixed ports)
 *   jetstream/        JetStream store of the local stack (`dev`)
 *   cluster.json      the node list of a cluster deployment (`init --cluster`)
 *   nodes/<name>/     one cluster node: nats-server.conf, jetstream/, jwt/, run/
 * @example const stack = readStack('.roomkey');
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const DEFAULT_DATA_DIR = '.roomkey';

export interface StackPublic {
  version: 1;
  operator: { publicKey: string; jwt: string };
  sysAccount: { publicKey: string; jwt: string };
  gatewayAccount: { publicKey: string; jwt: string };
  appAccount: { publicKey: string; signingKey: string; jwt: string };
  /** Bearer JWT of the restricted login user: public by design (served to every client). */
  loginJwt: string;
  /** How many shard streams hold room history (set at init; absent: 16, or what exists). */
  roomShards?: number;
}

export interface StackSecrets {
  version: 1;
  operatorSeed: string;
  operatorSigningSeed: string;
  sysAccountSeed: string;
  gatewayAccountSeed: string;
  appAccountSeed: string;
  appSigningSeed: string;
  /** 32 random bytes, hex: every gateway key (KV records, login handles, indexes) derives from it. */
  serverSecret: string;
  /** @serenity-kit/opaque server setup: the OPAQUE server's long-term key. */
  opaqueServerSetup: string;
}

export interface Stack {
  dir: string;
  public: StackPublic;
  secrets: StackSecrets;
}

export function stackPaths(dir: string) {
  const root = resolve(dir);
  return {
    root,
    public: join(root, 'roomkey.json'),
    secrets: join(root, 'secrets.json'),
    gatewayCreds: join(root, 'gateway.creds'),
    gatewayAppCreds: join(root, 'gateway-app.creds'),
    sysCreds: join(root, 'sys.creds'),
    natsConfig: join(root, 'nats-server.conf'),
    jetstream: join(root, 'jetstream'),
    run: join(root, 'run'),
    cluster: join(root, 'cluster.json'),
    nodes: join(root, 'nodes'),
  };
}

/**
 * Where one node of a cluster keeps its config, JetStream store, account JWTs and ports files:
 * each node has its own (two servers must never share a store directory).
 * @example nodePaths('.roomkey', 'n1').jetstream // '/…/.roomkey/nodes/n1/jetstream'
 */
export function nodePaths(dir: string, node: string) {
  const root = join(stackPaths(dir).nodes, node);
  return {
    root,
    natsConfig: join(root, 'nats-server.conf'),
    jetstream: join(root, 'jetstream'),
    jwt: join(root, 'jwt'),
    run: join(root, 'run'),
  };
}

export function stackExists(dir: string): boolean {
  const paths = stackPaths(dir);
  return existsSync(paths.public) && existsSync(paths.secrets);
}

/** Writes a file only its owner may read (secrets, creds). */
export function writeSecretFile(path: string, data: string | Uint8Array): void {
  writeFileSync(path, data, { mode: 0o600 });
  chmodSync(path, 0o600); // an existing file keeps its old mode on write
}

export function ensureDir(path: string, mode = 0o700): void {
  mkdirSync(path, { recursive: true, mode });
}

export function readStack(dir: string): Stack {
  const paths = stackPaths(dir);
  if (!stackExists(dir)) {
    throw new Error(
      `No RoomKey data in ${paths.root}: run \`node gateway/cli.ts init --data ${dir}\` first.`,
    );
  }
  const pub = JSON.parse(readFileSync(paths.public, 'utf8')) as StackPublic;
  const secrets = JSON.parse(readFileSync(paths.secrets, 'utf8')) as StackSecrets;
  if (pub.version !== 1 || secrets.version !== 1) throw new Error(`${paths.root}: unknown data version`);
  return { dir: paths.root, public: pub, secrets };
}
