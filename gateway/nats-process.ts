/**
 * Runs nats-server as a child process and finds its ports: the config asks for port -1 (free
 * ports chosen by the server) and a ports_file_dir, and the server writes the URLs it bound there.
 * Readiness means a TCP connection to the client port succeeds. Every wait is bounded.
 * @example const nats = await launchNatsServer({ configFile, portsDir }); ...; await nats.stop();
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface NatsServerProcess {
  pid: number;
  /** nats://127.0.0.1:port */
  clientUrl: string;
  /** ws://127.0.0.1:port */
  wsUrl: string;
  /** http://127.0.0.1:port of the monitoring endpoint (`/healthz`), when the config asks for one. */
  monitorUrl?: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface LaunchOptions {
  configFile: string;
  /** Must equal the config's ports_file_dir. */
  portsDir: string;
  binary?: string;
  readyTimeoutMs?: number;
  /** Receives the server's log lines (stderr); default: kept in memory for error messages only. */
  log?: (line: string) => void;
}

export async function launchNatsServer(options: LaunchOptions): Promise<NatsServerProcess> {
  const binary = options.binary ?? process.env['ROOMKEY_NATS_SERVER'] ?? 'nats-server';
  const child = spawn(binary, ['-c', options.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const recent: string[] = [];
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line) continue;
      recent.push(line);
      if (recent.length > 40) recent.shift();
      options.log?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (error) => {
      recent.push(String(error));
      resolve('spawn-error');
    });
  });
  let exitedYet: number | string | undefined;
  // If this process ends without stop() (an uncaught error, process.exit), take the server along.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then((v) => {
    exitedYet = v;
    process.off('exit', killOnExit);
  });

  const stop = async (graceMs = 5000) => {
    if (exitedYet !== undefined || child.pid === undefined) return;
    child.kill('SIGTERM');
    // Unref'd timers: a grace period that is not needed must not keep the process alive.
    const done = await Promise.race([exited.then(() => true), sleep(graceMs, false, { ref: false })]);
    if (!done) {
      child.kill('SIGKILL');
      await Promise.race([exited, sleep(graceMs, undefined, { ref: false })]);
    }
  };

  try {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
    const ports = await waitForPorts(child, options.portsDir, deadline, () => exitedYet);
    const clientUrl = ports.nats?.[0];
    const wsUrl = ports.websocket?.[0];
    if (!clientUrl || !wsUrl)
      throw new Error(`ports file lacks nats or websocket URLs: ${JSON.stringify(ports)}`);
    await waitForTcp(clientUrl, deadline, () => exitedYet);
    const monitorUrl = ports.monitoring?.[0];
    return { pid: child.pid!, clientUrl, wsUrl, ...(monitorUrl ? { monitorUrl } : {}), exited, stop };
  } catch (error) {
    await stop(1000);
    throw new Error(`nats-server did not start: ${(error as Error).message}\n${recent.join('\n')}`);
  }
}

async function waitForPorts(
  child: ChildProcess,
  dir: string,
  deadline: number,
  exited: () => unknown,
): Promise<{ nats?: string[]; websocket?: string[]; monitoring?: string[] }> {
  const suffix = `_${child.pid}.ports`;
  while (Date.now() < deadline) {
    if (exited() !== undefined) throw new Error(`exited early (${exited()})`);
    let name: string | undefined;
    try {
      name = readdirSync(dir).find((f) => f.endsWith(suffix));
    } catch {
      name = undefined;
    }
    if (name) {
      try {
        return JSON.parse(readFileSync(join(dir, name), 'utf8'));
      } catch {
        // written but not complete yet: read again
      }
    }
    await sleep(25);
  }
  throw new Error(`no ports file in ${dir} in time`);
}

async function waitForTcp(url: string, deadline: number, exited: () => unknown): Promise<void> {
  const { hostname, port } = new URL(url);
  while (Date.now() < deadline) {
    if (exited() !== undefined) throw new Error(`exited early (${exited()})`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = tcpConnect({ host: hostname, port: Number(port) });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(25);
  }
  throw new Error(`${url} does not accept connections in time`);
}

/**
 * A loopback TCP port that was free a moment ago, for listeners whose port must be known before
 * any server starts (cluster routes name each other's ports). Client and WebSocket listeners use
 * port -1 instead, which cannot race.
 * @example const routePort = await freeLoopbackPort();
 */
export async function freeLoopbackPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}
