// A local nats-server cluster (3 nodes by default) for integration tests and benches: one RoomKey
// deployment (`init` in a temp dir), one config per node from gateway/nats-config.ts (server_name,
// a cluster block with routes to every node, its own JetStream store and account-JWT directory),
// all on loopback. Route ports are chosen free before the start (the routes name them); client,
// WebSocket and monitoring ports are -1 on the first start (the server picks them, no race) and
// kept on a restart, so clients that knew a node find it again. Every wait is bounded.
// Node names are n1, n2, …; `kill(i)` is `kill -9`, `start(i)` brings a stopped node back.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDir, nodePaths, type Stack } from '../../gateway/data-dir.ts';
import { initStack } from '../../gateway/init.ts';
import { natsServerConfig } from '../../gateway/nats-config.ts';
import { freeLoopbackPort, launchNatsServer, type NatsServerProcess } from '../../gateway/nats-process.ts';

/**
 * Each cluster has a name of its own: route ports are chosen free a moment before the servers bind
 * them, and should another test's cluster ever get one of them, routes between the two are refused
 * by name instead of merging two deployments into one JetStream cluster.
 */
function uniqueClusterName(): string {
  return `roomkey-test-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export interface ClusterNode {
  /** server_name: n1, n2, … */
  name: string;
  /** nats://127.0.0.1:port (fixed after the first start) */
  clientUrl: string;
  /** ws://127.0.0.1:port (fixed after the first start) */
  wsUrl: string;
  /** http://127.0.0.1:port (`/healthz`) */
  monitorUrl: string;
  routePort: number;
  /** The running server, or undefined while the node is down. */
  process: NatsServerProcess | undefined;
}

export interface TestCluster {
  /** The deployment (operator, accounts, creds in `stack.dir`). */
  stack: Stack;
  dir: string;
  nodes: ClusterNode[];
  /** Every node's WebSocket URL, as clients and gateways get them. */
  wsUrls(): string[];
  /** `kill -9` of node `i` (0-based); resolves once the process is gone. */
  kill(i: number): Promise<void>;
  /** Starts node `i` again on its ports and store; resolves once it accepts connections. */
  start(i: number): Promise<void>;
  /**
   * Resolves once every running node reports itself healthy (JetStream current) and sees the meta
   * leader and every stream's leader on a running node, or throws. Right after a kill, /healthz
   * still says ok for a few seconds while the dead node's leaderships are unowned (2.9's Raft
   * elects new leaders after 4–9 s); the leader check covers that window.
   */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  size?: number;
  /** Bound of the first start, until every node is healthy; default 60 s (3 nodes on 2 cores). */
  readyTimeoutMs?: number;
}

/** Starts a local cluster; stop() kills every node and removes the temp dir. */
export async function startTestCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const size = options.size ?? 3;
  const clusterName = uniqueClusterName();
  const dir = mkdtempSync(join(tmpdir(), 'roomkey-cluster-'));
  const data = join(dir, 'data');
  // ROOMKEY_TEST_NATS_LOG=1 prints the servers' logs, for debugging a test.
  const verbose = Boolean(process.env['ROOMKEY_TEST_NATS_LOG']);
  try {
    const stack = await initStack({ dir: data });
    const routePorts: number[] = [];
    for (let i = 0; i < size; i++) routePorts.push(await freeLoopbackPort());
    const routes = routePorts.map((port) => `nats-route://127.0.0.1:${port}`);
    const nodes: ClusterNode[] = routePorts.map((routePort, i) => ({
      name: `n${i + 1}`,
      clientUrl: '',
      wsUrl: '',
      monitorUrl: '',
      routePort,
      process: undefined,
    }));
    const portOf = (url: string) => (url ? Number(new URL(url).port) : -1);

    const start = async (i: number) => {
      const node = nodes[i]!;
      if (node.process) throw new Error(`${node.name} is already running`);
      const paths = nodePaths(data, node.name);
      ensureDir(paths.run);
      writeFileSync(
        paths.natsConfig,
        natsServerConfig({
          stack: stack.public,
          serverName: node.name,
          port: portOf(node.clientUrl),
          wsPort: portOf(node.wsUrl),
          monitorPort: portOf(node.monitorUrl),
          storeDir: paths.jetstream,
          resolverDir: paths.jwt,
          portsFileDir: paths.run,
          cluster: { name: clusterName, port: node.routePort, routes },
        }),
        { mode: 0o600 },
      );
      const log = verbose ? (line: string) => console.error(`[${node.name}] ${line}`) : undefined;
      const launched = await launchNatsServer({ configFile: paths.natsConfig, portsDir: paths.run, log });
      if (!launched.monitorUrl) throw new Error(`${node.name} reports no monitoring port`);
      node.clientUrl = launched.clientUrl;
      node.wsUrl = launched.wsUrl;
      node.monitorUrl = launched.monitorUrl;
      node.process = launched;
      void launched.exited.then(() => {
        if (node.process === launched) node.process = undefined;
      });
    };

    const kill = async (i: number) => {
      const running = nodes[i]!.process;
      if (!running) return;
      process.kill(running.pid, 'SIGKILL');
      await running.exited;
      nodes[i]!.process = undefined;
    };

    const waitHealthy = async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      while (Date.now() < deadline) {
        const running = nodes.filter((n) => n.process);
        const names = new Set(running.map((n) => n.name));
        const verdicts = await Promise.all(
          running.map(async (n) => {
            const verdict = await health(n.monitorUrl);
            return verdict === 'ok' ? leadersOn(n.monitorUrl, names) : verdict;
          }),
        );
        if (verdicts.every((v) => v === 'ok')) return;
        last = running.map((n, k) => `${n.name}: ${verdicts[k]}`).join('; ');
        await sleep(100);
      }
      throw new Error(`cluster not healthy within ${timeoutMs} ms (${last})`);
    };

    const cluster: TestCluster = {
      stack,
      dir,
      nodes,
      wsUrls: () => nodes.map((n) => n.wsUrl),
      kill,
      start,
      waitHealthy,
      stop: async () => {
        await Promise.allSettled(nodes.map((n) => n.process?.stop(2000)));
        rmSync(dir, { recursive: true, force: true });
      },
    };
    try {
      await Promise.all(nodes.map((_, i) => start(i)));
      await waitHealthy(options.readyTimeoutMs ?? 60_000);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** `ok`, or what /healthz said instead (a node without a meta leader or with streams catching up). */
async function health(monitorUrl: string): Promise<string> {
  try {
    const response = await fetch(`${monitorUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
    const body = (await response.json()) as { status?: string; error?: string };
    return body.status === 'ok' ? 'ok' : (body.error ?? `HTTP ${response.status}`);
  } catch (error) {
    return (error as Error).message;
  }
}

/** `ok` when the node sees the meta leader and every stream leader it knows on a running node. */
async function leadersOn(monitorUrl: string, running: Set<string>): Promise<string> {
  interface Jsz {
    meta_cluster?: { leader?: string };
    account_details?: { stream_detail?: { name: string; cluster?: { leader?: string } }[] }[];
  }
  try {
    const response = await fetch(`${monitorUrl}/jsz?accounts=true&streams=true`, {
      signal: AbortSignal.timeout(2000),
    });
    const jsz = (await response.json()) as Jsz;
    const meta = jsz.meta_cluster?.leader ?? '';
    if (!running.has(meta)) return `meta leader "${meta}" is not running`;
    for (const account of jsz.account_details ?? []) {
      for (const stream of account.stream_detail ?? []) {
        const leader = stream.cluster?.leader ?? '';
        if (!running.has(leader)) return `stream ${stream.name}: leader "${leader}" is not running`;
      }
    }
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}
