/**
 * roomkey-gateway: `init`, `dev` (the local stack `npm start` runs) and `start` (the gateway alone
 * against an existing NATS server or cluster). `node gateway/cli.ts help` prints the usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, readStack, stackPaths } from './data-dir.ts';
import { runDev } from './dev.ts';
import { startGateway } from './gateway.ts';
import { AlreadyInitializedError, initStack } from './init.ts';
import { upgradeNatsConfigFile, upgradeNote } from './nats-config.ts';

const USAGE = `usage: node gateway/cli.ts <command> [options]

  init   [--data DIR] [--force] [--port N] [--ws-port N]
         Make operator, accounts, signing keys, server secret, OPAQUE setup, creds and a
         nats-server config in DIR (default ${DEFAULT_DATA_DIR}). Refuses to overwrite without --force.
  dev    [--data DIR] [--http-port N] [--nats-port N] [--ws-port N] [--jwt-lifetime SECONDS]
         The local stack: init if needed, nats-server on free loopback ports, the gateway, the demo
         over HTTP. Ctrl-C stops everything.
  start  --nats URL --creds FILE [--data DIR] [--app-creds FILE] [--sys-creds FILE]
         [--jwt-lifetime SECONDS] [--replicas N]
         The gateway alone against an existing NATS server or cluster (operator mode, using the
         accounts from DIR). --creds is the gateway account's service user (DIR/gateway.creds),
         --app-creds the app account's (default DIR/gateway-app.creds), --sys-creds the system
         account's (default DIR/sys.creds).
`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    data: { type: 'string', default: DEFAULT_DATA_DIR },
    force: { type: 'boolean', default: false },
    port: { type: 'string' },
    'ws-port': { type: 'string' },
    'http-port': { type: 'string' },
    'nats-port': { type: 'string' },
    'jwt-lifetime': { type: 'string' },
    nats: { type: 'string' },
    creds: { type: 'string' },
    'sys-creds': { type: 'string' },
    'app-creds': { type: 'string' },
    replicas: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

function int(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) fail(`--${name} must be an integer (got ${value})`);
  return n;
}

function fail(message: string): never {
  console.error(`roomkey-gateway: ${message}`);
  process.exit(2);
}

let stopping = false;

/** Runs `stop` once on SIGINT/SIGTERM, then exits; a second signal exits at once. */
function onSignals(stop: () => Promise<void>): void {
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log(`roomkey: ${signal}, stopping…`);
    stop().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`roomkey: stop failed: ${error.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}

const command = positionals[0] ?? 'help';
const jwtLifetimeS = int('jwt-lifetime', values['jwt-lifetime']);
const jwtLifetimeMs = jwtLifetimeS === undefined ? undefined : jwtLifetimeS * 1000;

switch (command) {
  case 'init': {
    try {
      const stack = await initStack({
        dir: values.data,
        force: values.force,
        port: int('port', values.port),
        wsPort: int('ws-port', values['ws-port']),
      });
      console.log(`roomkey: made a new deployment in ${stack.dir} (secrets are mode 600; keep them safe).`);
    } catch (error) {
      if (error instanceof AlreadyInitializedError) fail(error.message);
      throw error;
    }
    break;
  }
  case 'dev': {
    const dev = await runDev({
      dir: values.data,
      httpPort: int('http-port', values['http-port']),
      natsPort: int('nats-port', values['nats-port']),
      wsPort: int('ws-port', values['ws-port']),
      jwtLifetimeMs,
    });
    onSignals(dev.stop);
    void dev.natsExited.then(async (code) => {
      if (stopping) return; // we stopped it
      stopping = true;
      console.error(`roomkey: nats-server exited (${code}); stopping.`);
      await dev.stop();
      process.exit(1);
    });
    console.log(
      [
        'RoomKey local stack is up:',
        `  demo         ${dev.urls.web}`,
        `  config       ${dev.urls.config}`,
        `  NATS         ${dev.urls.nats}`,
        `  WebSocket    ${dev.urls.natsWebSocket}`,
        `  nats-server  pid ${dev.natsPid}`,
        'Ctrl-C stops everything.',
      ].join('\n'),
    );
    break;
  }
  case 'start': {
    if (!values.nats || !values.creds) fail('start needs --nats URL and --creds FILE\n\n' + USAGE);
    const stack = readStack(values.data);
    const upgraded = upgradeNatsConfigFile(values.data);
    if (upgraded) console.log(`roomkey: ${upgradeNote(upgraded)}`);
    const gateway = await startGateway({
      stack,
      servers: values.nats.split(','),
      gatewayCreds: readFileSync(values.creds),
      appCreds: readFileSync(values['app-creds'] ?? stackPaths(values.data).gatewayAppCreds),
      sysCreds: readFileSync(values['sys-creds'] ?? stackPaths(values.data).sysCreds),
      jwtLifetimeMs,
      replicas: int('replicas', values.replicas),
    });
    onSignals(gateway.stop);
    console.log(`roomkey: gateway serving on ${values.nats}`);
    break;
  }
  case 'help':
    console.log(USAGE);
    break;
  default:
    fail(`unknown command "${command}"\n\n${USAGE}`);
}
