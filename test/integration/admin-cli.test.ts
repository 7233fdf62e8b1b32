// `roomkey-gateway admin` as a person runs it: the real CLI in its own process, the password on
// stdin, against a real nats-server and gateway (and the deployment's roomkey-config.json over
// HTTP). An owner makes an org and a project, grants a role, sets rules and reads why a rule
// denies; a member is refused; the password is never an argument; each run's device is revoked.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { toHex } from '../../core/bytes.ts';
import { ADMIN_DEVICE_NAME } from '../../gateway/admin-cli-session.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

const CLI = new URL('../../gateway/cli.ts', import.meta.url).pathname;
let stack: TestStack;
let web: Server;
let gatewayUrl: string;

before(async () => {
  stack = await startStack();
  await stack.startGateway();
  const config = stack.clientConfig();
  const body = JSON.stringify({ version: 1, natsWebSocketUrl: config.servers, loginJwt: config.loginJwt });
  web = createServer((req, res) => {
    if (req.url !== '/roomkey-config.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  gatewayUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}/`;
});
after(async () => {
  web?.close();
  await stack?.stop();
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `roomkey-gateway admin ARGS` as `user`, `password` written to its stdin. */
function admin(user: string, password: string, ...args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [CLI, 'admin', ...args, '--gateway', gatewayUrl, '--user', user], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(`${password}\n`);
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

test('an owner runs the console from the command line; a member is refused', async () => {
  const alice = await stack.signUpSession({ username: 'alice-cli', password: 'alice password' });
  await stack.signUpSession({ username: 'bob-cli', password: 'bob password' });
  const org = `cli${Date.now()}`;
  const asAlice = (...args: string[]) => admin('alice-cli', 'alice password', ...args);

  let run = await asAlice('create-org', org);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, new RegExp(`made org ${org}; you are its owner`));
  run = await asAlice('create-project', `${org}/web`);
  assert.equal(run.code, 0, run.stderr);
  run = await asAlice('grant', `${org}/web`, 'bob-cli', 'member');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /bob-cli is now member/);
  run = await asAlice('rules', `${org}/web`, 'invite=admin', 'rotate-every=3600');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /invite=admin/);
  assert.match(run.stdout, /rotate-every=3600s/);
  assert.match(run.stdout, /bob-cli {2}member/, 'grants are shown with names');
  run = await asAlice('rules', org, 'idle-days=30');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /idle-days=30/, 'the org rule that signs out unused devices');
  run = await asAlice('rules', org, 'idle-days=91');
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /idle-days: 1 to 90 whole days/);

  run = await asAlice('explain', `${org}/web`, '--for', 'bob-cli');
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /for bob-cli \(member, granted at project\)/);
  assert.match(
    run.stdout,
    /invite +no +denied by the project rule invite: admin or above \(this user is member\)/,
  );
  assert.match(run.stdout, /rotate every 3600 s \(set at project\)/);

  // Bob, a member, may read his rules but change nothing.
  const asBob = (...args: string[]) => admin('bob-cli', 'bob password', ...args);
  run = await asBob('explain', `${org}/web`);
  assert.equal(run.code, 0, run.stderr);
  assert.match(
    run.stdout,
    /invite +no +denied by the project rule invite: admin or above \(you are member\)/,
  );
  run = await asBob('grant', `${org}/web`, 'bob-cli', 'admin');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /Only an owner or admin of this level \(or above\) may change its policy/);
  run = await asBob('rules', org, 'invite=guest');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /You have no role here/, 'no role at the org: not even its rules are shown');

  // A wrong password, a password as an argument, a bad role: refused with words, nothing done.
  run = await admin('alice-cli', 'not her password', 'show', org);
  assert.equal(run.code, 1);
  assert.doesNotMatch(run.stdout, /rules:/);
  run = await admin('alice-cli', 'alice password', 'show', org, '--password', 'alice password');
  assert.equal(run.code, 2);
  assert.match(run.stderr, /never taken from the command line/);
  run = await asAlice('grant', org, 'bob-cli', 'boss');
  assert.equal(run.code, 1);
  assert.match(run.stderr, /"boss" is not a role/);

  // Every run signed in as a device of its own and revoked it at the end.
  // Their names are sealed to alice's key: her session opens them.
  const names = await alice.deviceDetails();
  const cliDevices = (await alice.devices()).filter(
    (d) => names.get(toHex(d.deviceKey))?.name === ADMIN_DEVICE_NAME,
  );
  assert.ok(cliDevices.length >= 5, `one device per run (${cliDevices.length})`);
  assert.ok(
    cliDevices.every((d) => d.revokedAtMs > 0),
    'no CLI device is left able to sign in',
  );
});
