/**
 * `roomkey-gateway status`: the deployment at a glance, read through the system account the way
 * nats-server 2.9 answers it: nodes ($SYS.REQ.SERVER.PING.VARZ, every server answers), streams and
 * buckets with their sizes and replicas (JSZ from the JetStream meta leader), the gateways
 * connected (CONNZ of the gateway account: each gateway's API connection) and the certificate.
 * It prints counts, sizes and server names, never a user, room or key.
 * @example const status = await readStatus(sys, stack.public); console.log(formatStatus(status));
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect, type NodeConnectionOptions } from '@nats-io/transport-node';
import { fromHex } from '../core/bytes.ts';
import { formatCertificateStatus, readCertificateStatus } from './cert-status.ts';
import { nodePaths, readStack, type Stack, type StackPublic, stackPaths } from './data-dir.ts';
import { NO_CERTIFICATE } from './health.ts';
import { deriveServerKeys } from './server-keys.ts';

export interface NodeStatus {
  name: string;
  version: string;
  uptime: string;
  connections: number;
  routes: number;
  memBytes: number;
  storageBytes: number;
  /** Client port TLS or WebSocket TLS on. */
  tls: boolean;
}

export interface StreamStatus {
  name: string;
  account: 'app' | 'gateway' | 'other';
  messages: number;
  bytes: number;
  replicas: number;
  leader: string;
}

export interface GatewayConnection {
  name: string;
  server: string;
  ip: string;
  uptime: string;
  rtt: string;
}

export interface DeploymentStatus {
  nodes: NodeStatus[];
  streams: StreamStatus[];
  buckets: StreamStatus[];
  gateways: GatewayConnection[];
  certificate: string;
}

/** How long to wait for every server's answer to a $SYS ping. */
const PING_WAIT_MS = 750;

/**
 * What the CLI's `status` does: connect as the system user, read, print, close.
 * @example console.log(await runStatus({ dir: '.roomkey' }));
 */
export async function runStatus(input: {
  dir: string;
  /** Default: the local stack's ports files, else its config's port. */
  servers?: string[];
  sysCreds?: string;
  json?: boolean;
  /** TLS options for a client port with TLS (default: the system's roots and NODE_EXTRA_CA_CERTS). */
  natsTls?: NodeConnectionOptions['tls'];
}): Promise<string> {
  const stack = readStack(input.dir);
  const servers = input.servers ?? natsUrlsOf(input.dir);
  const sys = await connect({
    servers,
    authenticator: credsAuthenticator(readFileSync(input.sysCreds ?? stackPaths(input.dir).sysCreds)),
    name: 'roomkey-status',
    maxReconnectAttempts: 0,
    ...(input.natsTls ? { tls: input.natsTls } : {}),
  });
  try {
    const certificate = await certificateLine(stack, servers, input.natsTls);
    const status = await readStatus(sys, stack.public, certificate ? { certificate: () => certificate } : {});
    const where = `RoomKey deployment ${stackPaths(input.dir).root} via ${servers.join(',')}`;
    return input.json ? JSON.stringify(status, null, 2) : `${where}\n${formatStatus(status)}`;
  } finally {
    await sys.close();
  }
}

/**
 * The certificate's line, read from its KV buckets through the gateway account (the record is
 * sealed with the server secret, which the data directory holds); undefined without TLS buckets.
 */
async function certificateLine(
  stack: Stack,
  servers: string[],
  tls: NodeConnectionOptions['tls'] | undefined,
): Promise<string | undefined> {
  const creds = stackPaths(stack.dir).gatewayCreds;
  if (!existsSync(creds)) return undefined;
  try {
    const nc = await connect({
      servers,
      authenticator: credsAuthenticator(readFileSync(creds)),
      name: 'roomkey-status-certificate',
      maxReconnectAttempts: 0,
      ...(tls ? { tls } : {}),
    });
    try {
      const cert = await readCertificateStatus(nc, deriveServerKeys(fromHex(stack.secrets.serverSecret)));
      if (cert === 'none yet')
        return 'TLS on, no certificate from ACME yet (the placeholder from init is served)';
      return cert && formatCertificateStatus(cert, Date.now());
    } finally {
      await nc.close();
    }
  } catch (error) {
    return `unknown (${(error as Error).message})`;
  }
}

/**
 * Collects the status through a system-account connection.
 * @example const status = await readStatus(sys, readStack(dir).public);
 */
export async function readStatus(
  sys: NatsConnection,
  stack: Pick<StackPublic, 'appAccount' | 'gatewayAccount'>,
  options: { certificate?: () => string | undefined } = {},
): Promise<DeploymentStatus> {
  const [varz, jsz, connz] = await Promise.all([
    ping<Varz>(sys, '$SYS.REQ.SERVER.PING.VARZ', {}),
    ping<Jsz>(sys, '$SYS.REQ.SERVER.PING.JSZ', {
      accounts: true,
      streams: true,
      config: true,
      leader_only: true,
    }),
    ping<Connz>(sys, `$SYS.REQ.ACCOUNT.${stack.gatewayAccount.publicKey}.CONNZ`, {}),
  ]);
  const serverNames = new Map(varz.map((v) => [v.server.id, shortName(v.server.name)]));
  const nodes = varz
    .map(({ data }) => ({
      name: shortName(data.server_name),
      version: data.version,
      uptime: data.uptime,
      connections: data.connections,
      routes: data.routes,
      memBytes: data.mem,
      storageBytes: data.jetstream?.stats?.storage ?? 0,
      tls: Boolean(data.tls_required) || data.websocket?.no_tls === false,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const accountOf = (id: string): StreamStatus['account'] =>
    id === stack.appAccount.publicKey ? 'app' : id === stack.gatewayAccount.publicKey ? 'gateway' : 'other';
  const all = new Map<string, StreamStatus>();
  for (const { data } of jsz) {
    for (const account of data.account_details ?? []) {
      for (const stream of account.stream_detail ?? []) {
        all.set(`${account.id}/${stream.name}`, {
          name: stream.name,
          account: accountOf(account.id),
          messages: stream.state?.messages ?? 0,
          bytes: stream.state?.bytes ?? 0,
          replicas: stream.config?.num_replicas ?? 1,
          leader: serverNames.get(stream.cluster?.leader ?? '') ?? shortName(stream.cluster?.leader ?? '?'),
        });
      }
    }
  }
  const streams = [...all.values()].sort(byName);
  const gateways = connz
    .flatMap(({ server, data }) =>
      (data.connections ?? []).map((c) => ({
        name: c.name ?? '(unnamed)',
        server: shortName(server.name),
        ip: c.ip ?? '?',
        uptime: c.uptime ?? '?',
        rtt: c.rtt ?? '?',
      })),
    )
    .filter((c) => c.name.startsWith('roomkey-gateway'))
    .sort((a, b) => a.server.localeCompare(b.server));
  const tls = nodes.some((n) => n.tls);
  return {
    nodes,
    streams: streams.filter((s) => !s.name.startsWith('KV_')),
    buckets: streams.filter((s) => s.name.startsWith('KV_')).map((s) => ({ ...s, name: s.name.slice(3) })),
    gateways,
    certificate:
      options.certificate?.() ?? (tls ? 'TLS on (certificate state not reported yet)' : NO_CERTIFICATE),
  };
}

/**
 * The status as a few lines for a terminal.
 * @example console.log(formatStatus(await readStatus(sys, stack)));
 */
export function formatStatus(status: DeploymentStatus): string {
  const lines: string[] = [];
  lines.push(`nodes (${status.nodes.length}):`);
  for (const n of status.nodes) {
    lines.push(
      `  ${n.name.padEnd(10)} nats-server ${n.version}  up ${n.uptime}  ${n.connections} connections  ${n.routes} routes  mem ${size(n.memBytes)}  JetStream ${size(n.storageBytes)}`,
    );
  }
  const table = (title: string, rows: StreamStatus[], unit: string) => {
    const messages = rows.reduce((sum, s) => sum + s.messages, 0);
    const bytes = rows.reduce((sum, s) => sum + s.bytes, 0);
    lines.push(`${title} (${rows.length}, ${messages} ${unit}, ${size(bytes)}):`);
    for (const s of rows) {
      lines.push(
        `  ${s.name.padEnd(18)} ${String(s.messages).padStart(9)} ${unit.padEnd(8)} ${size(s.bytes).padStart(10)}  R${s.replicas}  leader ${s.leader}`,
      );
    }
  };
  table('streams', status.streams, 'messages');
  table('buckets', status.buckets, 'entries');
  lines.push(`gateways connected (${status.gateways.length}):`);
  for (const g of status.gateways)
    lines.push(`  ${g.name}  from ${g.ip}  on ${g.server}  up ${g.uptime}  rtt ${g.rtt}`);
  lines.push(`certificate: ${status.certificate}`);
  return lines.join('\n');
}

/**
 * NATS URLs of a local stack from its ports files (`dev` writes them), else of its config's port.
 * @example natsUrlsOf('.roomkey') // ['nats://127.0.0.1:41234']
 */
export function natsUrlsOf(dir: string): string[] {
  const paths = stackPaths(dir);
  const runDirs = [paths.run];
  if (existsSync(paths.nodes)) {
    for (const node of readdirSync(paths.nodes)) runDirs.push(nodePaths(dir, node).run);
  }
  const urls: string[] = [];
  for (const run of runDirs.filter((d) => existsSync(d))) {
    for (const file of readdirSync(run).filter((f) => f.endsWith('.ports'))) {
      try {
        const ports = JSON.parse(readFileSync(join(run, file), 'utf8')) as { nats?: string[] };
        urls.push(...(ports.nats ?? []));
      } catch {
        // a ports file being written: the others will do
      }
    }
  }
  if (urls.length > 0) return urls;
  const port = existsSync(paths.natsConfig) && /^port:\s*(\d+)/m.exec(readFileSync(paths.natsConfig, 'utf8'));
  return [`nats://127.0.0.1:${port ? port[1] : 4222}`];
}

async function ping<T>(sys: NatsConnection, subject: string, body: object): Promise<Array<Reply<T>>> {
  const replies: Array<Reply<T>> = [];
  const answers = await sys.requestMany(subject, JSON.stringify(body), {
    strategy: 'timer',
    maxWait: PING_WAIT_MS,
  });
  for await (const msg of answers) {
    try {
      const reply = msg.json<Reply<T> & { error?: unknown }>();
      if (reply.data && !reply.error) replies.push(reply);
    } catch {
      // a server answering something else: not a status we can show
    }
  }
  return replies;
}

/** Server names default to the 56-character server id: show enough of it to tell nodes apart. */
function shortName(name: string): string {
  return /^N[A-Z2-7]{55}$/.test(name) ? `${name.slice(0, 8)}…` : name;
}

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name.localeCompare(b.name, 'en', { numeric: true });
}

interface Reply<T> {
  server: { name: string; id: string };
  data: T;
}

interface Varz {
  server_name: string;
  version: string;
  uptime: string;
  connections: number;
  routes: number;
  mem: number;
  tls_required?: boolean;
  websocket?: { no_tls?: boolean };
  jetstream?: { stats?: { storage?: number } };
}

interface Jsz {
  account_details?: Array<{
    id: string;
    stream_detail?: Array<{
      name: string;
      state?: { messages?: number; bytes?: number };
      config?: { num_replicas?: number };
      cluster?: { leader?: string };
    }>;
  }>;
}

interface Connz {
  connections?: Array<{ name?: string; ip?: string; uptime?: string; rtt?: string }>;
}
