/**
 * roomkey-gateway: `init`, `dev` (the local stack `npm start` runs) and `start` (the gateway alone
 * against an existing NATS server or cluster). `node gateway/cli.ts help` prints the usage.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MalformedError, RoomKeyError } from '../core/errors.ts';
import { runBackup } from './backup.ts';
import { type ClusterPlan, localClusterPlan, parseNodeList, readClusterPlan } from './cluster-plan.ts';
import { DEFAULT_DATA_DIR, readStack, stackExists, stackPaths } from './data-dir.ts';
import { runDev } from './dev.ts';
import { startGateway } from './gateway.ts';
import { readinessProbe } from './health.ts';
import { AlreadyInitializedError, initStack } from './init.ts';
import { createLogger, type Logger, logLevelFrom } from './logger.ts';
import { GatewayMetrics } from './metrics.ts';
import { upgradeNatsConfigFile, upgradeNote } from './nats-config.ts';
import { opsRoutes, startOpsServer } from './ops-http.ts';
import { runRestore } from './restore.ts';
import { runStatus } from './status.ts';
import { isLoopbackHost } from './tls-policy.ts';
import { startDeploymentTls } from './tls-start.ts';

const USAGE = `usage: node gateway/cli.ts <command> [options]

  init   [--data DIR] [--force] [--port N] [--ws-port N] [--shards N]
         [--cluster N [--route-port N] | --nodes NAME=HOST[:ROUTEPORT],...]
         Make operator, accounts, signing keys, server secret, OPAQUE setup, creds and a
         nats-server config in DIR (default ${DEFAULT_DATA_DIR}). Refuses to overwrite without --force.
         --shards: how many streams hold room history (1-256, default 16; fixed from then on).
         --cluster N: N nodes (3-9) on this machine, n1..nN, ports stepping by 10 from --port
           (4222), --ws-port (4223) and --route-port (6222): DIR/nodes/<name>/nats-server.conf each,
           with server_name, routes to every node, its own JetStream store and account-JWT dir.
         --nodes: one node per machine, e.g. a=10.0.0.1,b=10.0.0.2,c=10.0.0.3 (every node on
           --port/--ws-port/--route-port of its own host). The node list is kept in DIR/cluster.json.
         [--tls-names NAME,... [--acme-directory URL] [--acme-email ADDR]]: TLS 1.3 only on the
           WebSocket (then on 0.0.0.0), cluster routes and exposed client ports, with certificates
           from ACME (default Let's Encrypt) kept in KV; DIR/tls.json, a placeholder in DIR/tls/.
  dev    [--data DIR] [--http-port N] [--nats-port N] [--ws-port N] [--jwt-lifetime SECONDS]
         [--cluster N] [--shards N]
         The local stack: init if needed, nats-server on free loopback ports (--cluster N: a local
         N-node cluster, R3 streams and buckets, stores in DIR/nodes/), the gateway, the demo over
         HTTP. A nats-server that dies is started again on its ports. Ctrl-C stops everything.
  start  --nats URL[,URL...] --creds FILE [--data DIR] [--app-creds FILE] [--sys-creds FILE]
         [--jwt-lifetime SECONDS] [--replicas N] [--shards N] [--vapid-subject URI]
         The gateway alone against an existing NATS server or cluster (operator mode, using the
         accounts from DIR). --creds is the gateway account's service user (DIR/gateway.creds),
         --app-creds the app account's (default DIR/gateway-app.creds), --sys-creds the system
         account's (default DIR/sys.creds). --replicas defaults to DIR/cluster.json's (3), else 1.
         --vapid-subject: a contact for push services' operators, mailto:ops@example.org or an
           https: URL (sent in every Web Push request's VAPID JWT; some push services refuse
           pushes without a real one).
         [--http-port N [--http-host ADDR]]: /healthz, /readyz and /metrics over HTTP on
           ADDR:N (default 127.0.0.1: expose it to your scraper, not the public).
         With DIR/tls.json: obtains and renews the certificate (one gateway at a time), serves it
           to the nats-servers here (SIGHUP via --nats-pid-file FILE,... or DIR's pid files) and on
           --http-port when --http-host is not loopback (HTTPS); [--acme-http-port 80] answers
           the CA's HTTP-01 challenges (and redirects the rest to https).
  status [--data DIR] [--nats URL[,URL...]] [--sys-creds FILE] [--json]
         The deployment at a glance: nodes, streams and buckets (sizes, replicas), gateways
         connected, certificate. --nats defaults to the local stack's ports (dev), else its config.
  admin  COMMAND --gateway URL --user NAME
         The admin console for orgs, projects, roles and rules, signed in as that user (password
         asked, or stdin; never an argument). \`admin help\` lists the commands.
  dev and start log JSON lines (pino) at --log-level (fatal, error, warn, info, debug, trace,
  silent; default info, or ROOMKEY_LOG_LEVEL). dev serves /healthz, /readyz, /metrics on its
  demo HTTP port.
  backup DIR --nats URL[,URL...] [--data DIR] [--creds FILE] [--app-creds FILE] [--include-secrets]
         Every stream and KV bucket (ciphertext and sealed records) through JetStream's snapshot
         API into DIR (new or empty), with manifest.json (versions, counts, SHA-256). The secrets
         are left out unless --include-secrets (then DIR/secrets/, mode 600, with a warning).
  restore DIR --nats URL[,URL...] [--data DIR] [--creds FILE] [--app-creds FILE] [--replace]
         [--replicas N]
         Checks the manifest, every file's SHA-256 and that --data is the deployment the backup
         came from, then restores every stream. Refuses streams that exist unless --replace.
         Stop every gateway first.
`;

// `admin` has options of its own and signs in as a person through the client SDK (admin-cli.ts):
// loaded only for it, so the gateway itself never loads the client.
if (process.argv[2] === 'admin') {
  const { runAdminCli } = await import('./admin-cli.ts');
  process.exit(await runAdminCli(process.argv.slice(3)));
}

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
    cluster: { type: 'string' },
    nodes: { type: 'string' },
    'route-port': { type: 'string' },
    shards: { type: 'string' },
    'vapid-subject': { type: 'string' },
    'log-level': { type: 'string' },
    'http-host': { type: 'string' },
    'tls-names': { type: 'string' },
    'acme-directory': { type: 'string' },
    'acme-email': { type: 'string' },
    'acme-http-port': { type: 'string' },
    'nats-pid-file': { type: 'string' },
    json: { type: 'boolean', default: false },
    'include-secrets': { type: 'boolean', default: false },
    replace: { type: 'boolean', default: false },
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

/** RFC 8292 asks for a mailto: or https: contact; anything else is refused at start, not by push services later. */
function vapidSubject(value: string): string {
  if (/^mailto:[^@\s]+@[^@\s]+$/.test(value)) return value;
  try {
    if (new URL(value).protocol === 'https:') return value;
  } catch {}
  fail(`--vapid-subject must be mailto:someone@example.org or an https: URL (got ${value})`);
}

/** The JSON logger of `dev` and `start`, at --log-level / ROOMKEY_LOG_LEVEL. */
function makeLogger(): Logger {
  try {
    return createLogger({ level: logLevelFrom(values['log-level']) });
  } catch (error) {
    if (error instanceof MalformedError) fail(error.message);
    throw error;
  }
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
const shards = int('shards', values.shards);
const clusterSize = int('cluster', values.cluster);

/** The node plan `init --cluster N` / `--nodes …` asks for, if any. */
function clusterPlan(): ClusterPlan | undefined {
  const base = {
    port: int('port', values.port),
    wsPort: int('ws-port', values['ws-port']),
    routePort: int('route-port', values['route-port']),
  };
  const defined = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined));
  if (values.nodes !== undefined && clusterSize !== undefined) fail('give --cluster N or --nodes, not both');
  try {
    if (values.nodes !== undefined) return parseNodeList(values.nodes, defined);
    if (clusterSize !== undefined) return localClusterPlan(clusterSize, defined);
  } catch (error) {
    if (error instanceof MalformedError) fail(error.message);
    throw error;
  }
  return undefined;
}

/** `backup DIR` / `restore DIR` with the data directory's creds; typed errors exit 2 with their message. */
async function backupOrRestore(which: 'backup' | 'restore', dir: string, servers: string[]): Promise<void> {
  if (!stackExists(values.data))
    fail(`no RoomKey deployment in ${values.data}: --data must be its data directory.`);
  const paths = stackPaths(values.data);
  const common = {
    dir,
    dataDir: values.data,
    servers,
    gatewayCreds: readFileSync(values.creds ?? paths.gatewayCreds),
    appCreds: readFileSync(values['app-creds'] ?? paths.gatewayAppCreds),
    log: (line: string) => console.log(line),
  };
  try {
    if (which === 'backup') await runBackup({ ...common, includeSecrets: values['include-secrets'] });
    else await runRestore({ ...common, replace: values.replace, replicas: int('replicas', values.replicas) });
  } catch (error) {
    if (error instanceof RoomKeyError) fail(`${which} failed: ${error.message}`);
    throw error;
  }
}

switch (command) {
  case 'init': {
    try {
      const cluster = clusterPlan();
      const stack = await initStack({
        dir: values.data,
        force: values.force,
        port: int('port', values.port),
        wsPort: int('ws-port', values['ws-port']),
        cluster,
        shards,
        ...(values['tls-names'] === undefined
          ? {}
          : {
              tls: {
                names: values['tls-names'],
                acmeDirectory: values['acme-directory'],
                acmeEmail: values['acme-email'],
              },
            }),
      });
      console.log(`roomkey: made a new deployment in ${stack.dir} (secrets are mode 600; keep them safe).`);
      const tlsOn = values['tls-names'] !== undefined;
      for (const node of cluster?.nodes ?? []) {
        const client = tlsOn && !isLoopbackHost(node.host) ? 'tls' : 'nats';
        console.log(
          `  ${node.name}  ${client}://${node.host}:${node.port}  ${tlsOn ? 'wss' : 'ws'}://${node.host}:${node.wsPort}  route ${node.routePort}  ${stack.dir}/nodes/${node.name}/nats-server.conf`,
        );
      }
      if (tlsOn)
        console.log(
          `  TLS 1.3: a placeholder certificate in ${stack.dir}/tls/ until the first gateway obtains one from ACME (${stack.dir}/tls.json); start gateways with --acme-http-port 80.`,
        );
      if (cluster)
        console.log(
          `  gateway: start --nats <every node's nats:// URL, comma-separated> --replicas ${cluster.replicas}`,
        );
    } catch (error) {
      if (error instanceof AlreadyInitializedError || error instanceof MalformedError) fail(error.message);
      throw error;
    }
    break;
  }
  case 'dev': {
    const dev = await runDev({
      logger: makeLogger(),
      dir: values.data,
      httpPort: int('http-port', values['http-port']),
      natsPort: int('nats-port', values['nats-port']),
      wsPort: int('ws-port', values['ws-port']),
      jwtLifetimeMs,
      cluster: clusterSize,
      shards,
    });
    onSignals(dev.stop);
    void dev.natsExited.then(async (reason) => {
      if (stopping) return; // we stopped it
      stopping = true;
      console.error(`roomkey: ${reason}; stopping.`);
      await dev.stop();
      process.exit(1);
    });
    const nodes = dev.nodes();
    console.log(
      [
        'RoomKey local stack is up:',
        `  demo         ${dev.urls.web}`,
        `  config       ${dev.urls.config}`,
        `  NATS         ${dev.urls.nats}`,
        `  WebSocket    ${dev.urls.natsWebSocket}`,
        ...(nodes.length === 1
          ? [`  nats-server  pid ${dev.natsPid}`]
          : nodes.map((n) => `  nats-server  ${n.name} pid ${n.pid}  ${n.clientUrl}  ${n.wsUrl}`)),
        ...(nodes.length > 1 ? [`  replicas     3 (streams and KV buckets)`] : []),
        'Ctrl-C stops everything.',
      ].join('\n'),
    );
    break;
  }
  case 'start': {
    if (!values.nats || !values.creds) fail('start needs --nats URL and --creds FILE\n\n' + USAGE);
    const subject = values['vapid-subject'] === undefined ? undefined : vapidSubject(values['vapid-subject']);
    const stack = readStack(values.data);
    const logger = makeLogger();
    const metrics = new GatewayMetrics();
    const upgraded = upgradeNatsConfigFile(values.data);
    if (upgraded) logger.info(`roomkey: ${upgradeNote(upgraded)}`);
    const gateway = await startGateway({
      logger,
      metrics,
      stack,
      servers: values.nats.split(','),
      gatewayCreds: readFileSync(values.creds),
      appCreds: readFileSync(values['app-creds'] ?? stackPaths(values.data).gatewayAppCreds),
      sysCreds: readFileSync(values['sys-creds'] ?? stackPaths(values.data).sysCreds),
      jwtLifetimeMs,
      replicas: int('replicas', values.replicas) ?? readClusterPlan(values.data)?.replicas,
      roomShards: shards,
      ...(subject ? { push: { subject } } : {}),
    });
    const tls = await startDeploymentTls({
      dir: values.data,
      servers: values.nats.split(','),
      replicas: int('replicas', values.replicas) ?? readClusterPlan(values.data)?.replicas,
      natsPidFiles: values['nats-pid-file'],
      acmeHttpPort: int('acme-http-port', values['acme-http-port']),
      log: (level, message) => logger[level](`roomkey: ${message}`),
    });
    if (tls) metrics.watchCertificate(() => tls.service.serving.state()?.notAfterMs);
    const httpPort = int('http-port', values['http-port']);
    const opsTls = tls && !isLoopbackHost(values['http-host']) ? tls.pair() : undefined;
    const ops =
      httpPort === undefined
        ? undefined
        : await startOpsServer({
            routes: opsRoutes({
              probe: readinessProbe({
                ...gateway.context,
                ...(tls ? { certificate: tls.service.state } : {}),
              }),
              metrics,
            }),
            port: httpPort,
            host: values['http-host'],
            ...(opsTls ? { tls: opsTls } : {}),
          });
    if (ops && opsTls) tls?.service.serving.addListener(ops);
    onSignals(async () => {
      await tls?.service.stop();
      await ops?.stop();
      await gateway.stop();
    });
    logger.info(
      { nats: values.nats, ...(ops ? { http: ops.url } : {}) },
      `roomkey: gateway serving on ${values.nats}${ops ? `; health and metrics on ${ops.url}` : ''}`,
    );
    break;
  }
  case 'backup':
  case 'restore': {
    const dir = positionals[1];
    if (!dir || !values.nats) fail(`${command} needs DIR and --nats URL\n\n${USAGE}`);
    await backupOrRestore(command, dir, values.nats.split(','));
    break;
  }
  case 'status': {
    try {
      console.log(
        await runStatus({
          dir: values.data,
          servers: values.nats?.split(','),
          sysCreds: values['sys-creds'],
          json: values.json,
        }),
      );
    } catch (error) {
      fail(`status: ${(error as Error).message}. Is NATS running (--nats URL) and --data its deployment?`);
    }
    break;
  }
  case 'help':
    console.log(USAGE);
    break;
  default:
    fail(`unknown command "${command}"\n\n${USAGE}`);
}
