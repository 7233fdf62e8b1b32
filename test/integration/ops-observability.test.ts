// What an operator sees of a working gateway, from a real run (nats-server, the gateway, SDK
// sessions signing up, creating a room, inviting, sending, reading, a wrong password until the
// rate limit answers): /healthz and /readyz (503 while NATS is away, ready again after), the
// Prometheus metrics that run must have moved, no label value outside the fixed sets, and JSON logs
// at trace level in which no username, password or message text appears.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { readinessProbe } from '../../gateway/health.ts';
import { createLogger } from '../../gateway/logger.ts';
import { GatewayMetrics } from '../../gateway/metrics.ts';
import { type OpsServer, opsRoutes, startOpsServer } from '../../gateway/ops-http.ts';
import { startStack, type TestStack } from '../helpers/stack.ts';

const logLines: string[] = [];
const metrics = new GatewayMetrics();
let stack: TestStack;
let ops: OpsServer;

const run = process.pid.toString(36);
const secrets = {
  aliceName: `alice-ops-${run}`,
  alicePassword: `Correct horse ${run} battery`,
  bobName: `bob-ops-${run}`,
  bobPassword: `Tr0ub4dor&3-${run}`,
  wrongPassword: `not-the-password-${run}`,
  texts: [`the launch code is ${run}-4471`, `meet at the old mill ${run}`],
  roomName: `Secret project ${run}`,
};
let roomId = '';

before(async () => {
  stack = await startStack({
    metrics,
    logger: createLogger({ level: 'trace', destination: { write: (line: string) => logLines.push(line) } }),
    log: undefined,
    // A wrong password three times from one address locks that address out of the username.
    rateLimits: { username: { maxAttempts: 3, windowMs: 60_000, lockMs: 60_000 } },
  });
  const gateway = await stack.startGateway();
  ops = await startOpsServer({
    routes: opsRoutes({ probe: readinessProbe(gateway.context), metrics }),
    port: 0,
  });

  const alice = await stack.signUpSession({ username: secrets.aliceName, password: secrets.alicePassword });
  await stack.signUpSession({ username: secrets.bobName, password: secrets.bobPassword });
  const room = await alice.createRoom(secrets.roomName);
  roomId = room.roomId;
  await alice.invite(roomId, secrets.bobName);
  for (const text of secrets.texts) await alice.send(roomId, text);
  const bob = await stack.signInSession(secrets.bobName, secrets.bobPassword);
  const history = await bob.history(roomId);
  assert.deepEqual(
    history.map((m) => ('text' in m ? m.text : m.status)),
    secrets.texts,
  );
  for (let attempt = 0; attempt < 4; attempt++) {
    await assert.rejects(stack.signInSession(secrets.aliceName, secrets.wrongPassword));
  }
});

after(async () => {
  await ops?.stop();
  await stack?.stop();
});

async function get(path: string): Promise<{ status: number; body: string; type: string }> {
  const response = await fetch(`${ops.url}${path}`);
  return {
    status: response.status,
    body: await response.text(),
    type: response.headers.get('content-type') ?? '',
  };
}

/** `name{labels} value` lines of the exposition text, as [name, labels, value]. */
function samples(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      assert.ok(match, `a sample line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[key!] = value!;
      }
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

function value(text: string, name: string, labels: Record<string, string> = {}): number {
  return samples(text)
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

test('/healthz and /readyz answer for a gateway whose NATS and buckets are there', async () => {
  const health = await get('/healthz');
  assert.equal(health.status, 200);
  assert.deepEqual(JSON.parse(health.body), { status: 'ok' });
  const ready = await get('/readyz');
  assert.equal(ready.status, 200, ready.body);
  const body = JSON.parse(ready.body) as {
    status: string;
    checks: Array<{ name: string; ok: boolean; detail: string }>;
  };
  assert.equal(body.status, 'ready');
  assert.deepEqual(
    body.checks.map((c) => [c.name, c.ok]),
    [
      ['nats', true],
      ['buckets', true],
      ['certificate', true],
    ],
  );
  assert.match(body.checks[1]!.detail, /^1[0-9] open$/, 'every KV bucket was looked at');
  assert.equal(body.checks[2]!.detail, 'none (plain ws on loopback)');
  assert.equal((await get('/nothing-here')).status, 404);
});

test('the metrics count what the run did, by fixed endpoint names', async () => {
  const { status, body: text, type } = await get('/metrics');
  assert.equal(status, 200);
  assert.match(type, /^text\/plain; version=0\.0\.4/);
  assert.ok(
    value(text, 'roomkey_logins_total', { result: 'success' }) >= 2,
    'sign-ups log in, bob signed in',
  );
  assert.ok(value(text, 'roomkey_logins_total', { result: 'failure' }) >= 1, 'the locked start failed');
  // OPAQUE: a wrong password is a start the client never finishes, so starts outnumber successes.
  assert.ok(
    value(text, 'roomkey_login_starts_total') >=
      value(text, 'roomkey_logins_total', { result: 'success' }) + 4,
  );
  assert.ok(value(text, 'roomkey_rate_limit_hits_total', { endpoint: 'rk.v1.gw.anon.login.start' }) >= 1);
  assert.ok(value(text, 'roomkey_jwts_issued_total') >= 3, 'each sign-in got a device JWT');
  assert.equal(
    value(text, 'roomkey_requests_total', { endpoint: 'rk.v1.gw.device.room.create', outcome: 'ok' }),
    1,
  );
  assert.ok(
    value(text, 'roomkey_requests_total', { endpoint: 'rk.v1.gw.device.room.commit', outcome: 'ok' }) >= 1,
  );
  assert.ok(
    value(text, 'roomkey_request_duration_seconds_count', { endpoint: 'rk.v1.gw.device.room.create' }) === 1,
    'latency observed per endpoint',
  );
  assert.equal(value(text, 'roomkey_rooms'), 1, 'one room record in KV');
  assert.ok(
    value(text, 'roomkey_notifications_routed_total', { channel: 'app' }) +
      value(text, 'roomkey_notifications_routed_total', { channel: 'push' }) >=
      secrets.texts.length,
    'each message was routed to bob, by App Notification or handed to Web Push',
  );
  assert.equal(value(text, 'roomkey_certificate_expiry_timestamp_seconds'), 0, 'no certificate, no expiry');
  assert.doesNotMatch(text, /roomkey_certificate_expiry/, 'absent until TLS exists');
});

test('no metric label carries a name, an id or anything outside the fixed sets', async () => {
  const { body: text } = await get('/metrics');
  const codes =
    'malformed|bad-signature|not-member|unknown-epoch|replay|decrypt-failed|forbidden|not-found|conflict|rate-limited|bad-credentials|wrong-passphrase|locked|tampered|too-large|revoked|expired|unsupported|unavailable|internal|integrity';
  const allowed = new RegExp(
    `^(rk\\.v1\\.gw\\.(anon|device)\\.(auth|dir|room|admin|push|marker|pairing|login|register|device)\\.[a-z]+|other|ok|busy|error|success|failure|app|push|none|[1-5]xx|\\d{3}|${codes})$`,
  );
  const processLabels = new Set([
    'version',
    'major',
    'minor',
    'patch',
    'space',
    'kind',
    'le',
    'quantile',
    'type',
  ]);
  for (const sample of samples(text)) {
    for (const [key, label] of Object.entries(sample.labels)) {
      if (processLabels.has(key)) continue;
      assert.match(label, allowed, `${sample.name} ${key}="${label}"`);
    }
  }
  for (const personal of [secrets.aliceName, secrets.bobName, roomId, secrets.roomName]) {
    assert.ok(!text.includes(personal), `${personal} is not in the metrics`);
  }
});

test('the JSON logs hold no username, password, message text or room name', () => {
  const text = logLines.join('');
  assert.ok(logLines.length >= 20, `the run logged its requests at debug level (${logLines.length} lines)`);
  for (const line of logLines) {
    const entry = JSON.parse(line) as { level: string; service: string; time: string };
    assert.equal(entry.service, 'roomkey-gateway');
    assert.ok(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(entry.level), line);
  }
  assert.match(text, /"endpoint":"rk\.v1\.gw\.device\.room\.create","outcome":"ok"/);
  for (const secret of [
    secrets.aliceName,
    secrets.bobName,
    secrets.alicePassword,
    secrets.bobPassword,
    secrets.wrongPassword,
    secrets.roomName,
    ...secrets.texts,
  ]) {
    assert.ok(!text.toLowerCase().includes(secret.toLowerCase()), `the logs do not contain "${secret}"`);
  }
});

test('/readyz says 503 while NATS is away and ready again once it is back; /healthz stays 200', async () => {
  const restarted = stack.nats.restart({ kill: true, downMs: 5000 });
  let sawNotReady = false;
  const deadline = Date.now() + 4500;
  while (Date.now() < deadline && !sawNotReady) {
    const ready = await get('/readyz');
    if (ready.status === 503) {
      sawNotReady = true;
      const checks = (JSON.parse(ready.body) as { checks: Array<{ name: string; ok: boolean }> }).checks;
      assert.equal(checks.find((c) => c.name === 'nats')?.ok, false, ready.body);
      assert.equal((await get('/healthz')).status, 200, 'the process is alive all along');
    }
    await sleep(200);
  }
  assert.ok(sawNotReady, '/readyz reported the broker gone');
  await restarted;
  let ready = await get('/readyz');
  for (let i = 0; i < 50 && ready.status !== 200; i++) {
    await sleep(200);
    ready = await get('/readyz');
  }
  assert.equal(ready.status, 200, ready.body);
});
