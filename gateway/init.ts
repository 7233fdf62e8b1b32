/**
 * `init`: makes a RoomKey deployment's keys and configuration in a data directory. Refuses to
 * overwrite an existing one unless forced (a new operator locks out every existing credential).
 * @example await initStack({ dir: '.roomkey' })
 */
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAccount, createOperator, createUser, fmtCreds } from '@nats-io/jwt';
import * as opaque from '@serenity-kit/opaque';
import { MalformedError } from '../core/errors.ts';
import {
  accountPublicKeys,
  encodeAppAccountJwt,
  encodeGatewayAccountJwt,
  encodeLoginJwt,
  encodeOperatorJwt,
  encodeServiceUserJwt,
  encodeSysAccountJwt,
  seedKey,
} from './accounts.ts';
import { writeBootstrapCertificate, writeRouteCertificate } from './cert-bootstrap.ts';
import { natsCertFiles } from './cert-serving.ts';
import { type ClusterPlan, writeClusterConfigs } from './cluster-plan.ts';
import {
  ensureDir,
  type Stack,
  type StackPublic,
  type StackSecrets,
  stackExists,
  stackPaths,
  writeSecretFile,
} from './data-dir.ts';
import { natsServerConfig, resolverDirFor } from './nats-config.ts';
import { type TlsSettings, tlsPaths, tlsSettingsFrom, writeTlsSettings } from './tls-settings.ts';

export interface InitOptions {
  dir: string;
  force?: boolean;
  /** Ports written into nats-server.conf for running nats-server yourself. */
  port?: number;
  wsPort?: number;
  /**
   * A cluster instead of one server: cluster.json and one config per node (cluster-plan.ts);
   * no single-server nats-server.conf then.
   */
  cluster?: ClusterPlan;
  /** How many shard streams hold room history (roomkey.json `roomShards`); fixed from then on. */
  shards?: number;
  /**
   * TLS 1.3 with certificates from ACME (issue 18): DIR/tls.json, a placeholder certificate in
   * DIR/tls/ until the first gateway obtains one, and `tls {}` blocks in the nats-server configs.
   */
  tls?: { names: string; acmeDirectory?: string; acmeEmail?: string };
}

/** Bounds of `shards`: one stream at least, and at most what a room id's first byte can pick. */
export const MAX_ROOM_SHARDS = 256;

export class AlreadyInitializedError extends Error {}

export async function initStack(options: InitOptions): Promise<Stack> {
  const paths = stackPaths(options.dir);
  if (stackExists(options.dir) && !options.force) {
    throw new AlreadyInitializedError(
      `${paths.root} already holds a RoomKey deployment. Overwriting it would make new keys and lock out every existing user and device; pass --force if that is what you want.`,
    );
  }
  const { shards } = options;
  if (shards !== undefined && (!Number.isInteger(shards) || shards < 1 || shards > MAX_ROOM_SHARDS)) {
    throw new MalformedError(`--shards takes 1 to ${MAX_ROOM_SHARDS} streams (got ${shards}).`);
  }
  // Checked before anything is written: a typo in a name must not leave half a deployment.
  const tls: TlsSettings | undefined = options.tls
    ? tlsSettingsFrom({ ...options.tls, certDir: tlsPaths(options.dir).certDir })
    : undefined;
  await opaque.ready;
  const text = (seed: Uint8Array) => new TextDecoder().decode(seed);
  const secrets: StackSecrets = {
    version: 1,
    operatorSeed: text(createOperator().getSeed()),
    operatorSigningSeed: text(createOperator().getSeed()),
    sysAccountSeed: text(createAccount().getSeed()),
    gatewayAccountSeed: text(createAccount().getSeed()),
    appAccountSeed: text(createAccount().getSeed()),
    appSigningSeed: text(createAccount().getSeed()),
    serverSecret: randomBytes(32).toString('hex'),
    opaqueServerSetup: opaque.server.createSetup(),
  };
  const keys = accountPublicKeys(secrets);
  const pub: StackPublic = {
    version: 1,
    operator: {
      publicKey: seedKey(secrets.operatorSeed).getPublicKey(),
      jwt: await encodeOperatorJwt(secrets, keys.sys),
    },
    sysAccount: { publicKey: keys.sys, jwt: await encodeSysAccountJwt(secrets) },
    gatewayAccount: { publicKey: keys.gateway, jwt: await encodeGatewayAccountJwt(secrets) },
    appAccount: {
      publicKey: keys.app,
      signingKey: keys.appSigning,
      jwt: await encodeAppAccountJwt(secrets, keys.gateway),
    },
    loginJwt: await encodeLoginJwt(secrets, createUser()),
    ...(shards === undefined ? {} : { roomShards: shards }),
  };

  const resolverDir = resolverDirFor(paths.jetstream);
  if (options.force) {
    // Old KV data is sealed with the old server secret and unreadable now, and the old accounts'
    // JWTs belong to the old operator: start clean.
    rmSync(paths.jetstream, { recursive: true, force: true });
    rmSync(resolverDir, { recursive: true, force: true });
    rmSync(paths.nodes, { recursive: true, force: true });
    rmSync(paths.cluster, { force: true });
    rmSync(paths.natsConfig, { force: true });
    rmSync(tlsPaths(options.dir).settings, { force: true });
    rmSync(tlsPaths(options.dir).certDir, { recursive: true, force: true });
  }
  ensureDir(paths.root);
  writeSecretFile(paths.secrets, `${JSON.stringify(secrets, null, 2)}\n`);
  writeFileSync(paths.public, `${JSON.stringify(pub, null, 2)}\n`, { mode: 0o644 });
  const gatewayUser = createUser();
  writeSecretFile(
    paths.gatewayCreds,
    fmtCreds(
      await encodeServiceUserJwt('roomkey-gateway', gatewayUser, secrets.gatewayAccountSeed),
      gatewayUser,
    ),
  );
  const appUser = createUser();
  writeSecretFile(
    paths.gatewayAppCreds,
    fmtCreds(
      await encodeServiceUserJwt(
        'roomkey-gateway-app',
        appUser,
        secrets.appAccountSeed,
        secrets.appSigningSeed,
      ),
      appUser,
    ),
  );
  const sysUser = createUser();
  writeSecretFile(
    paths.sysCreds,
    fmtCreds(await encodeServiceUserJwt('roomkey-sys', sysUser, secrets.sysAccountSeed), sysUser),
  );
  const stack = { dir: paths.root, public: pub, secrets };
  if (tls) {
    ensureDir(paths.run); // nats-server writes its pid_file there; the gateway signals it
    writeBootstrapCertificate(tls.certDir, tls.names);
    writeTlsSettings(options.dir, tls);
  }
  const certFiles = tls ? natsCertFiles(tls.certDir) : undefined;
  if (tls && certFiles && options.cluster) {
    certFiles.route = writeRouteCertificate(
      tls.certDir,
      options.cluster.nodes.map((n) => n.host),
    );
  }
  if (options.cluster) {
    writeClusterConfigs(stack, options.cluster, certFiles);
  } else {
    writeSecretFile(
      paths.natsConfig,
      natsServerConfig({
        stack: pub,
        port: options.port ?? 4222,
        wsPort: options.wsPort ?? 4223,
        storeDir: paths.jetstream,
        resolverDir,
        // The client port stays on loopback (the gateway beside it): TLS on wss, where browsers come.
        ...(certFiles
          ? { tls: certFiles, pidFile: join(paths.run, 'nats-server.pid'), wsHost: '0.0.0.0' }
          : {}),
      }),
    );
  }
  return stack;
}
