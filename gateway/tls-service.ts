/**
 * What `start` runs when the deployment has TLS settings: a gateway-account connection for the
 * certificate buckets, the renewer (ACME, one gateway at a time), the serving of each certificate
 * (files + SIGHUP for the local nats-server, setSecureContext for HTTPS listeners), and optionally
 * the HTTP-01 responder on port 80.
 * @example const tls = await startTlsService({ settings, servers, gatewayCreds, keys, natsPidFiles });
 */
import { hostname } from 'node:os';
import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect, type NodeConnectionOptions } from '@nats-io/transport-node';
import { startAcmeHttp } from './acme-http.ts';
import { CertRenewer } from './cert-renewer.ts';
import { type CertListener, type CertServing, serveCertificates } from './cert-serving.ts';
import { type CertStore, openCertStore } from './cert-store.ts';
import type { CertificateState } from './health.ts';
import type { ServerKeys } from './server-keys.ts';
import type { TlsSettings } from './tls-settings.ts';

export interface TlsService {
  /** The gateway-account connection the certificate buckets are read through. */
  connection: NatsConnection;
  store: CertStore;
  serving: CertServing;
  renewer: CertRenewer;
  /** For readiness: not valid until a certificate from ACME is served (the placeholder does not count). */
  state(): CertificateState;
  stop(): Promise<void>;
}

/**
 * Starts the certificate machinery of one gateway.
 * @example const tls = await startTlsService({ settings, servers: ['nats://127.0.0.1:4222'], gatewayCreds, keys });
 */
export async function startTlsService(input: {
  settings: TlsSettings;
  servers: string[];
  gatewayCreds: Uint8Array;
  keys: ServerKeys;
  replicas?: number;
  /** The pid_file of each nats-server on this machine: each gets SIGHUP after a new certificate. */
  natsPidFiles?: string[];
  /** Or its pid, when this process started it. */
  natsPid?: () => number | undefined;
  listeners?: CertListener[];
  /** Serve HTTP-01 challenges (and redirect to https) on this port, e.g. 80. */
  acmeHttp?: { port: number; host?: string };
  /** TLS options of the NATS connection (a client port with TLS whose certificate is not yet trusted). */
  natsTls?: NodeConnectionOptions['tls'];
  checkEveryMs?: number;
  renewer?: string;
  /** How long a renewer may hold the lock (the lock bucket's max age, set when it is made). */
  lockTtlMs?: number;
  /** acme-client's pre-check of the challenge URL (default off, see acme-issuer.ts). */
  skipChallengeVerification?: boolean;
  /** Tests: a clock to jump. */
  now?: () => number;
  log?: (level: 'info' | 'warn', message: string) => void;
}): Promise<TlsService> {
  const nc = await connect({
    servers: input.servers,
    authenticator: credsAuthenticator(input.gatewayCreds),
    name: 'roomkey-gateway-certs',
    maxReconnectAttempts: -1,
    ...(input.natsTls ? { tls: input.natsTls } : {}),
  });
  const store = await openCertStore(nc, input.keys, { replicas: input.replicas, lockTtlMs: input.lockTtlMs });
  const serving = await serveCertificates({
    store,
    listeners: input.listeners,
    nats: {
      dir: input.settings.certDir,
      ...(input.natsPidFiles ? { pidFiles: input.natsPidFiles } : {}),
      ...(input.natsPid ? { pid: input.natsPid } : {}),
    },
    now: input.now,
    log: input.log,
  });
  const http01 = input.acmeHttp ? await startAcmeHttp({ store, ...input.acmeHttp }) : undefined;
  const renewer = new CertRenewer({
    store,
    names: input.settings.names,
    acme: {
      directoryUrl: input.settings.acmeDirectory,
      ...(input.settings.acmeEmail ? { email: input.settings.acmeEmail } : {}),
      skipChallengeVerification: input.skipChallengeVerification ?? true,
    },
    now: input.now,
    renewer: input.renewer ?? `${hostname()}/${process.pid}`,
    checkEveryMs: input.checkEveryMs,
    log: input.log,
  });
  renewer.start();
  return {
    connection: nc,
    store,
    serving,
    renewer,
    state: () =>
      serving.state() ?? {
        valid: false,
        detail: `no certificate from ${input.settings.acmeDirectory} yet (the placeholder from init is served)`,
      },
    stop: async () => {
      await renewer.stop();
      serving.stop();
      await http01?.stop();
      await nc.close();
    },
  };
}
