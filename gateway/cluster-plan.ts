/**
 * The node list of a RoomKey cluster deployment (`init --cluster N` or `init --nodes …`), kept in
 * the data directory's cluster.json, and the nats-server config of each node: server_name, a
 * cluster block with routes to every node, its own JetStream store and account-JWT directory
 * (nodes/<name>/), the full resolver with the deployment's accounts preloaded. Every node's
 * config is complete by itself, so any node can be (re)started alone and find the others.
 * @example const plan = localClusterPlan(3); writeClusterConfigs(stack, plan);
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MalformedError } from '../core/errors.ts';
import { ensureDir, nodePaths, type Stack, stackPaths, writeSecretFile } from './data-dir.ts';
import { natsServerConfig } from './nats-config.ts';
import { isLoopbackHost, type NatsTlsFiles } from './tls-policy.ts';

export interface ClusterNodePlan {
  /** server_name, also the node's directory under nodes/. */
  name: string;
  /** Address the node listens on and the others reach it at. */
  host: string;
  port: number;
  wsPort: number;
  routePort: number;
}

export interface ClusterPlan {
  version: 1;
  /** The cluster's name (the same in every node's config). */
  name: string;
  /** JetStream replicas of streams and KV buckets: 3. */
  replicas: number;
  nodes: ClusterNodePlan[];
}

export const CLUSTER_NAME = 'roomkey';
export const CLUSTER_REPLICAS = 3;
/** Ports of a local cluster's node k are the base ports + k × this (4222, 4232, 4242, …). */
export const LOCAL_PORT_STEP = 10;
const MIN_NODES = 3;
const MAX_NODES = 9;
const NODE_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const HOST = /^[A-Za-z0-9.:[\]-]{1,253}$/;

export interface BasePorts {
  port?: number;
  wsPort?: number;
  routePort?: number;
}

const DEFAULT_PORTS = { port: 4222, wsPort: 4223, routePort: 6222 };

/**
 * N nodes on one machine (n1, n2, …) whose ports step by 10: for trying a cluster out, or as the
 * template of a real one.
 * @example localClusterPlan(3).nodes[1] // { name: 'n2', host: '127.0.0.1', port: 4232, wsPort: 4233, routePort: 6232 }
 */
export function localClusterPlan(size: number, base: BasePorts = {}, host = '127.0.0.1'): ClusterPlan {
  if (!Number.isInteger(size) || size < MIN_NODES || size > MAX_NODES) {
    throw new MalformedError(
      `--cluster takes ${MIN_NODES} to ${MAX_NODES} nodes (got ${size}): JetStream needs 3 replicas to survive losing a node.`,
    );
  }
  const ports = { ...DEFAULT_PORTS, ...base };
  const nodes = Array.from({ length: size }, (_, k) => ({
    name: `n${k + 1}`,
    host,
    port: ports.port + k * LOCAL_PORT_STEP,
    wsPort: ports.wsPort + k * LOCAL_PORT_STEP,
    routePort: ports.routePort + k * LOCAL_PORT_STEP,
  }));
  return { version: 1, name: CLUSTER_NAME, replicas: CLUSTER_REPLICAS, nodes };
}

/**
 * Nodes from a list `name=host[:routePort],…`, one per machine: every node uses the same client,
 * WebSocket and (unless given) route ports on its own host.
 * @example parseNodeList('a=10.0.0.1,b=10.0.0.2,c=10.0.0.3:7222')
 */
export function parseNodeList(text: string, base: BasePorts = {}): ClusterPlan {
  const ports = { ...DEFAULT_PORTS, ...base };
  const nodes = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item): ClusterNodePlan => {
      const match = /^([^=]+)=(.+?)(?::(\d{1,5}))?$/.exec(item);
      const [, name = '', host = '', route] = match ?? [];
      if (!match || !NODE_NAME.test(name) || !HOST.test(host)) {
        throw new MalformedError(
          `--nodes: "${item}" is not name=host or name=host:routePort (names: letters, digits, _ and -).`,
        );
      }
      const routePort = route === undefined ? ports.routePort : Number(route);
      if (routePort < 1 || routePort > 65535)
        throw new MalformedError(`--nodes: bad route port in "${item}".`);
      return { name, host, port: ports.port, wsPort: ports.wsPort, routePort };
    });
  if (nodes.length < MIN_NODES || nodes.length > MAX_NODES) {
    throw new MalformedError(
      `--nodes lists ${nodes.length} nodes; a cluster needs ${MIN_NODES} to ${MAX_NODES}.`,
    );
  }
  const names = new Set(nodes.map((n) => n.name));
  const routes = new Set(nodes.map((n) => `${n.host}:${n.routePort}`));
  if (names.size !== nodes.length || routes.size !== nodes.length) {
    throw new MalformedError('--nodes: every node needs its own name and its own host:routePort.');
  }
  return { version: 1, name: CLUSTER_NAME, replicas: CLUSTER_REPLICAS, nodes };
}

/**
 * The route URL of every node, as each node's cluster block lists them.
 * @example clusterRoutes(plan) // ['nats-route://127.0.0.1:6222', …]
 */
export function clusterRoutes(plan: ClusterPlan): string[] {
  return plan.nodes.map(
    (n) => `nats-route://${n.host.includes(':') ? `[${n.host}]` : n.host}:${n.routePort}`,
  );
}

/**
 * The nats-server config of one planned node (fixed ports), with its paths under `dataDir`.
 * @example writeFileSync(file, clusterNodeConfig(stack, plan, plan.nodes[0]!))
 */
export function clusterNodeConfig(
  stack: Stack,
  plan: ClusterPlan,
  node: ClusterNodePlan,
  tls?: NatsTlsFiles,
): string {
  const paths = nodePaths(stack.dir, node.name);
  return natsServerConfig({
    // TLS (issue 18): routes and WebSocket always, the client port where other machines reach it.
    ...(tls
      ? {
          tls: { ...tls, clientPort: !isLoopbackHost(node.host) },
          pidFile: join(paths.root, 'nats-server.pid'),
        }
      : {}),
    stack: stack.public,
    serverName: node.name,
    host: node.host,
    port: node.port,
    wsPort: node.wsPort,
    storeDir: paths.jetstream,
    resolverDir: paths.jwt,
    cluster: { name: plan.name, port: node.routePort, routes: clusterRoutes(plan) },
  });
}

/**
 * Writes cluster.json and nodes/<name>/nats-server.conf for every node (mode 600); returns the
 * config files.
 * @example for (const file of writeClusterConfigs(stack, plan)) console.log(file);
 */
export function writeClusterConfigs(stack: Stack, plan: ClusterPlan, tls?: NatsTlsFiles): string[] {
  writeFileSync(stackPaths(stack.dir).cluster, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o644 });
  return plan.nodes.map((node) => {
    const paths = nodePaths(stack.dir, node.name);
    ensureDir(paths.root);
    writeSecretFile(paths.natsConfig, clusterNodeConfig(stack, plan, node, tls));
    return paths.natsConfig;
  });
}

/**
 * The cluster plan of a data directory, or undefined for a single-server deployment.
 * @example const plan = readClusterPlan('.roomkey'); const replicas = plan?.replicas ?? 1;
 */
export function readClusterPlan(dir: string): ClusterPlan | undefined {
  let text: string;
  try {
    text = readFileSync(stackPaths(dir).cluster, 'utf8');
  } catch {
    return undefined;
  }
  const plan = JSON.parse(text) as ClusterPlan;
  if (plan.version !== 1 || !Array.isArray(plan.nodes)) {
    throw new MalformedError(`${stackPaths(dir).cluster}: not a cluster plan this version understands.`);
  }
  return plan;
}
