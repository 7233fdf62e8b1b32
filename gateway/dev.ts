/**
 * `dev`: the whole local stack in one command (what `npm start` runs): `init` if needed, then
 * nats-server (loopback, free ports, WebSocket on) as a child process, the gateway in-process,
 * and the demo over HTTP. stop() ends all of it; the CLI calls it on Ctrl-C and SIGTERM.
 * @example const dev = await runDev({ dir: '.roomkey' }); console.log(dev.urls.web); await dev.stop();
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, readStack, stackExists, stackPaths } from './data-dir.ts';
import { type Gateway, startGateway } from './gateway.ts';
import { initStack } from './init.ts';
import { natsServerConfig, upgradeNatsConfigFile, upgradeNote } from './nats-config.ts';
import { launchNatsServer, type NatsServerProcess } from './nats-process.ts';
import { type StaticServer, startStaticServer } from './static-server.ts';

export interface DevOptions {
  dir: string;
  /** HTTP port for the demo (0 = a free one). */
  httpPort?: number;
  /** NATS client and WebSocket ports (-1 = free ones). */
  natsPort?: number;
  wsPort?: number;
  jwtLifetimeMs?: number;
  /** Where the repository's demo/ and dist/ are. */
  repoRoot?: string;
  log?: (line: string) => void;
}

export interface DevStack {
  urls: { web: string; config: string; nats: string; natsWebSocket: string };
  natsPid: number;
  /** Resolves if nats-server exits on its own (a crash): the stack is then unusable. */
  natsExited: Promise<number | string>;
  stop(): Promise<void>;
}

export async function runDev(options: DevOptions): Promise<DevStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (!stackExists(options.dir)) {
    log(`roomkey: first run, making keys and configuration in ${stackPaths(options.dir).root}`);
    await initStack({ dir: options.dir });
  }
  const stack = readStack(options.dir);
  const paths = stackPaths(options.dir);
  const upgraded = upgradeNatsConfigFile(options.dir);
  if (upgraded) log(`roomkey: ${upgradeNote(upgraded)}`);
  ensureDir(paths.run);
  for (const stale of readdirSync(paths.run).filter((f) => f.endsWith('.ports')))
    rmSync(join(paths.run, stale), { force: true });
  const configFile = join(paths.run, 'nats-server.dev.conf');
  writeFileSync(
    configFile,
    natsServerConfig({
      stack: stack.public,
      port: options.natsPort ?? -1,
      wsPort: options.wsPort ?? -1,
      storeDir: paths.jetstream,
      portsFileDir: paths.run,
    }),
    { mode: 0o600 },
  );

  let nats: NatsServerProcess | undefined;
  let gateway: Gateway | undefined;
  let web: StaticServer | undefined;
  const stop = async () => {
    await web?.stop().catch(() => undefined);
    await gateway?.stop().catch(() => undefined);
    await nats?.stop();
  };
  try {
    nats = await launchNatsServer({ configFile, portsDir: paths.run });
    gateway = await startGateway({
      stack,
      servers: nats.clientUrl,
      gatewayCreds: readFileSync(paths.gatewayCreds),
      appCreds: readFileSync(paths.gatewayAppCreds),
      sysCreds: readFileSync(paths.sysCreds),
      jwtLifetimeMs: options.jwtLifetimeMs,
      log: (line) => log(`[gateway] ${line}`),
    });
    const repo = options.repoRoot ?? new URL('..', import.meta.url).pathname;
    web = await startStaticServer({
      // The service worker is served at the root so that its scope can be the whole demo.
      roots: { '/': join(repo, 'demo'), '/dist/': join(repo, 'dist'), '/sw.js': join(repo, 'dist', 'sw.js') },
      config: { version: 1, natsWebSocketUrl: nats.wsUrl, loginJwt: stack.public.loginJwt },
      port: options.httpPort,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    urls: {
      web: `${web.url}/`,
      config: `${web.url}/roomkey-config.json`,
      nats: nats.clientUrl,
      natsWebSocket: nats.wsUrl,
    },
    natsPid: nats.pid,
    natsExited: nats.exited,
    stop,
  };
}
