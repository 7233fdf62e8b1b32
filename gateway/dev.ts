/**
 * `dev`: the whole local stack in one command (what `npm start` runs): `init` if needed, then
 * nats-server (loopback, free ports, WebSocket on) as a child process — or, with `cluster: 3`, a
 * local 3-node cluster (own route ports and store dirs under nodes/<name>/, R3 streams and
 * buckets) — the gateway in-process, and the demo over HTTP. A nats-server that dies is started
 * again on the same ports (nats-supervisor.ts), so the stack survives its broker as `start` does.
 * stop() ends all of it; the CLI calls it on Ctrl-C and SIGTERM.
 * @example const dev = await runDev({ dir: '.roomkey' }); console.log(dev.urls.web); await dev.stop();
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLUSTER_NAME, CLUSTER_REPLICAS } from './cluster-plan.ts';
import { ensureDir, nodePaths, readStack, type Stack, stackExists, stackPaths } from './data-dir.ts';
import { type Gateway, startGateway } from './gateway.ts';
import { readinessProbe } from './health.ts';
import { initStack } from './init.ts';
import { type Logger, lineLog } from './logger.ts';
import { GatewayMetrics } from './metrics.ts';
import {
  type NatsClusterInput,
  natsServerConfig,
  upgradeNatsConfigFile,
  upgradeNote,
} from './nats-config.ts';
import { freeLoopbackPort, launchNatsServer } from './nats-process.ts';
import { type RestartBackoff, type SupervisedNats, superviseNatsServer } from './nats-supervisor.ts';
import { opsRoutes } from './ops-http.ts';
import { type StaticServer, startStaticServer } from './static-server.ts';

export interface DevOptions {
  dir: string;
  /** HTTP port for the demo (0 = a free one). */
  httpPort?: number;
  /** NATS client and WebSocket ports of a single server (-1 = free ones). */
  natsPort?: number;
  wsPort?: number;
  jwtLifetimeMs?: number;
  /** Nodes of a local cluster (3 or more); absent: one server. */
  cluster?: number;
  /** Room shard streams (only where the deployment has none yet: see the gateway's roomShards). */
  shards?: number;
  /** How a dead nats-server is started again (nats-supervisor.ts). */
  restartBackoff?: Partial<RestartBackoff>;
  /** Where the repository's demo/ and dist/ are. */
  repoRoot?: string;
  /** Structured logs for the stack and its gateway (the CLI's, at --log-level); `log` wins for the stack's own lines. */
  logger?: Logger;
  log?: (line: string) => void;
}

export interface DevNode {
  name: string;
  clientUrl: string;
  wsUrl: string;
  pid: number;
  restarts: number;
}

export interface DevStack {
  /** `nats` and `natsWebSocket` list every node, comma-separated. */
  urls: { web: string; config: string; nats: string; natsWebSocket: string };
  /** The nats-server(s) as they run now (pids change on a restart). */
  nodes(): DevNode[];
  /** pid of the first nats-server as it runs now. */
  readonly natsPid: number;
  /** Resolves if a nats-server cannot be started again: the stack is then unusable. */
  natsExited: Promise<number | string>;
  stop(): Promise<void>;
}

const MIN_CLUSTER = 3;
const HEALTHY_TIMEOUT_MS = 60_000;

export async function runDev(options: DevOptions): Promise<DevStack> {
  const { logger } = options;
  const log =
    options.log ??
    (logger ? lineLog(logger.child({ component: 'dev' }), 'info') : (line: string) => console.log(line));
  if (
    options.cluster !== undefined &&
    (!Number.isInteger(options.cluster) || options.cluster < MIN_CLUSTER)
  ) {
    throw new Error(`--cluster needs at least ${MIN_CLUSTER} nodes (got ${options.cluster}).`);
  }
  if (!stackExists(options.dir)) {
    log(`roomkey: first run, making keys and configuration in ${stackPaths(options.dir).root}`);
    await initStack({ dir: options.dir, shards: options.shards });
  }
  const stack = readStack(options.dir);
  const upgraded = upgradeNatsConfigFile(options.dir);
  if (upgraded) log(`roomkey: ${upgradeNote(upgraded)}`);

  const supervised: SupervisedNats[] = [];
  const metrics = new GatewayMetrics();
  let gateway: Gateway | undefined;
  let web: StaticServer | undefined;
  const stop = async () => {
    await web?.stop().catch(() => undefined);
    await gateway?.stop().catch(() => undefined);
    await Promise.all(supervised.map((s) => s.stop()));
  };
  // A node started again gets the newest app account JWT as its preload: it missed the pushes
  // made while it was down, and must refuse revoked JWTs from its first connection back.
  const latestAppJwt = () => gateway?.context.publisher.latestJwt();
  try {
    const specs = options.cluster ? await clusterSpecs(stack, options.cluster) : [singleSpec(stack, options)];
    for (const spec of specs) {
      supervised.push(
        await superviseNatsServer({
          name: specs.length > 1 ? `nats-server ${spec.name}` : 'nats-server',
          launch: (restart) => spec.launch(restart ? latestAppJwt() : undefined),
          log,
          backoff: options.restartBackoff,
        }),
      );
    }
    if (specs.length > 1) {
      log(`roomkey: waiting for the ${specs.length}-node cluster to elect its JetStream leader…`);
      await waitHealthy(supervised, HEALTHY_TIMEOUT_MS);
    }
    const first = supervised[0]!.current;
    gateway = await startGateway({
      stack,
      servers: supervised.map((s) => s.current.clientUrl),
      gatewayCreds: readFileSync(stackPaths(options.dir).gatewayCreds),
      appCreds: readFileSync(stackPaths(options.dir).gatewayAppCreds),
      sysCreds: readFileSync(stackPaths(options.dir).sysCreds),
      jwtLifetimeMs: options.jwtLifetimeMs,
      replicas: options.cluster ? CLUSTER_REPLICAS : undefined,
      roomShards: options.shards,
      metrics,
      ...(logger && !options.log ? { logger } : { log: (line: string) => log(`[gateway] ${line}`) }),
    });
    const wsUrls = supervised.map((s) => s.current.wsUrl);
    const repo = options.repoRoot ?? new URL('..', import.meta.url).pathname;
    web = await startStaticServer({
      // The service worker is served at the root so that its scope can be the whole demo.
      roots: { '/': join(repo, 'demo'), '/dist/': join(repo, 'dist'), '/sw.js': join(repo, 'dist', 'sw.js') },
      config: {
        version: 1,
        natsWebSocketUrl: wsUrls.length > 1 ? wsUrls : first.wsUrl,
        loginJwt: stack.public.loginJwt,
        vapidPublicKey: gateway.vapidPublicKey,
      },
      port: options.httpPort,
      ops: opsRoutes({ probe: readinessProbe(gateway.context), metrics }),
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const names = options.cluster ? Array.from({ length: options.cluster }, (_, k) => `n${k + 1}`) : ['nats'];
  return {
    urls: {
      web: `${web.url}/`,
      config: `${web.url}/roomkey-config.json`,
      nats: supervised.map((s) => s.current.clientUrl).join(','),
      natsWebSocket: supervised.map((s) => s.current.wsUrl).join(','),
    },
    nodes: () =>
      supervised.map((s, k) => ({
        name: names[k]!,
        clientUrl: s.current.clientUrl,
        wsUrl: s.current.wsUrl,
        pid: s.current.pid,
        restarts: s.restarts,
      })),
    get natsPid() {
      return supervised[0]!.current.pid;
    },
    natsExited: Promise.race(supervised.map((s) => s.gaveUp)),
    stop,
  };
}

interface NodeSpec {
  name: string;
  /** Starts the node (ports fixed after the first start); `appJwt`: preload override. */
  launch(appJwt: string | undefined): ReturnType<typeof launchNatsServer>;
}

/** One server: free ports on the first start (or the given ones), the same ones after. */
function singleSpec(stack: Stack, options: DevOptions): NodeSpec {
  const paths = stackPaths(stack.dir);
  const ports = { port: options.natsPort ?? -1, wsPort: options.wsPort ?? -1 };
  return {
    name: 'nats',
    launch: async (appJwt) => {
      const configFile = join(paths.run, 'nats-server.dev.conf');
      prepareRunDir(paths.run);
      writeFileSync(
        configFile,
        natsServerConfig({
          stack: stack.public,
          ...ports,
          storeDir: paths.jetstream,
          portsFileDir: paths.run,
          appAccountJwt: appJwt,
        }),
        { mode: 0o600 },
      );
      const nats = await launchNatsServer({ configFile, portsDir: paths.run });
      ports.port = portOf(nats.clientUrl);
      ports.wsPort = portOf(nats.wsUrl);
      return nats;
    },
  };
}

/** Nodes n1…nN on loopback: route ports chosen now, the others by the servers, kept on restarts. */
async function clusterSpecs(stack: Stack, size: number): Promise<NodeSpec[]> {
  const routePorts: number[] = [];
  for (let k = 0; k < size; k++) routePorts.push(await freeLoopbackPort());
  // Named after the data dir: two local clusters on one machine (free route ports are chosen a
  // moment before they are bound) refuse each other's routes instead of merging.
  const clusterName = `${CLUSTER_NAME}-dev-${createHash('sha256').update(stack.dir).digest('hex').slice(0, 8)}`;
  const cluster = (port: number): NatsClusterInput => ({
    name: clusterName,
    port,
    routes: routePorts.map((p) => `nats-route://127.0.0.1:${p}`),
  });
  return routePorts.map((routePort, k) => {
    const name = `n${k + 1}`;
    const paths = nodePaths(stack.dir, name);
    const ports = { port: -1, wsPort: -1, monitorPort: -1 };
    return {
      name,
      launch: async (appJwt) => {
        prepareRunDir(paths.run);
        const configFile = join(paths.run, 'nats-server.dev.conf');
        writeFileSync(
          configFile,
          natsServerConfig({
            stack: stack.public,
            serverName: name,
            ...ports,
            storeDir: paths.jetstream,
            resolverDir: paths.jwt,
            portsFileDir: paths.run,
            cluster: cluster(routePort),
            appAccountJwt: appJwt,
          }),
          { mode: 0o600 },
        );
        const nats = await launchNatsServer({ configFile, portsDir: paths.run });
        ports.port = portOf(nats.clientUrl);
        ports.wsPort = portOf(nats.wsUrl);
        if (nats.monitorUrl) ports.monitorPort = portOf(nats.monitorUrl);
        return nats;
      },
    };
  });
}

function prepareRunDir(run: string): void {
  ensureDir(run);
  for (const stale of readdirSync(run).filter((f) => f.endsWith('.ports')))
    rmSync(join(run, stale), { force: true });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Until every node's /healthz says ok (a JetStream meta leader is elected), bounded. */
async function waitHealthy(nodes: SupervisedNats[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const verdicts = await Promise.all(
      nodes.map(async (node) => {
        try {
          const response = await fetch(`${node.current.monitorUrl}/healthz`, {
            signal: AbortSignal.timeout(2000),
          });
          return ((await response.json()) as { status?: string; error?: string }).error ?? 'ok';
        } catch (error) {
          return (error as Error).message;
        }
      }),
    );
    if (verdicts.every((v) => v === 'ok')) return;
    last = verdicts.join('; ');
    await sleep(100);
  }
  throw new Error(`the local cluster did not become healthy within ${timeoutMs} ms (${last})`);
}
