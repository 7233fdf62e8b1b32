/**
 * `start`'s part of TLS, for a deployment `init --tls-names` set up (DIR/tls.json): the
 * certificate service (tls-service.ts) with the data directory's creds and secret, the pid files
 * of the nats-servers on this machine to signal, and the certificate files as they are now for
 * HTTPS listeners started before the first certificate from KV arrives. Undefined without TLS.
 * @example const tls = await startDeploymentTls({ dir: '.roomkey', servers, log });
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex } from '../core/bytes.ts';
import { natsCertFiles } from './cert-serving.ts';
import { nodePaths, readStack, stackPaths } from './data-dir.ts';
import { deriveServerKeys } from './server-keys.ts';
import type { TlsPair } from './tls-http.ts';
import { startTlsService, type TlsService } from './tls-service.ts';
import { readTlsSettings } from './tls-settings.ts';

export interface DeploymentTls {
  service: TlsService;
  /** The certificate files as they are now (the placeholder until the first ACME order). */
  pair(): TlsPair;
}

/**
 * Starts the certificate service when the data directory has TLS settings.
 * @example const tls = await startDeploymentTls({ dir, servers: ['nats://127.0.0.1:4222'] });
 */
export async function startDeploymentTls(input: {
  dir: string;
  servers: string[];
  gatewayCreds?: Uint8Array;
  replicas?: number;
  /** pid files to SIGHUP, comma-separated; default: the ones init's configs name that exist. */
  natsPidFiles?: string;
  acmeHttpPort?: number;
  acmeHttpHost?: string;
  log?: (level: 'info' | 'warn', message: string) => void;
}): Promise<DeploymentTls | undefined> {
  const settings = readTlsSettings(input.dir);
  if (!settings) return undefined;
  const stack = readStack(input.dir);
  const pidFiles = input.natsPidFiles?.split(',').filter(Boolean) ?? localPidFiles(input.dir);
  const service = await startTlsService({
    settings,
    servers: input.servers,
    gatewayCreds: input.gatewayCreds ?? readFileSync(stackPaths(input.dir).gatewayCreds),
    keys: deriveServerKeys(fromHex(stack.secrets.serverSecret)),
    replicas: input.replicas,
    natsPidFiles: pidFiles,
    ...(input.acmeHttpPort === undefined
      ? {}
      : { acmeHttp: { port: input.acmeHttpPort, host: input.acmeHttpHost ?? '0.0.0.0' } }),
    log: input.log,
  });
  const files = natsCertFiles(settings.certDir);
  return {
    service,
    pair: () => ({
      certPem: readFileSync(files.certFile, 'utf8'),
      keyPem: readFileSync(files.keyFile, 'utf8'),
    }),
  };
}

/** The pid files init's configs name: DIR/run/nats-server.pid, nodes/<name>/nats-server.pid. */
function localPidFiles(dir: string): string[] {
  const files = [join(stackPaths(dir).run, 'nats-server.pid')];
  const nodes = stackPaths(dir).nodes;
  if (existsSync(nodes))
    for (const node of readdirSync(nodes)) files.push(join(nodePaths(dir, node).root, 'nats-server.pid'));
  return files.filter((file) => existsSync(file));
}
