// Metric labels take values from fixed sets only: every endpoint subject the gateway serves is
// kept as its own label, and anything hostile a caller could put into a subject, an outcome or a
// status (a username, a room id, a device nkey, an address) becomes a fixed word instead.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as subjects from '../../../core/transport/subjects.ts';
import { endpointLabel, GatewayMetrics, outcomeLabel, pushStatusLabel } from '../../../gateway/metrics.ts';

const ERROR_CODES =
  'malformed|bad-signature|not-member|unknown-epoch|replay|decrypt-failed|forbidden|not-found|conflict|rate-limited|bad-credentials|wrong-passphrase|locked|tampered|too-large|revoked|expired|unsupported|unavailable|internal|integrity';
/** Every value a roomkey_ label may take. */
const ALLOWED = new RegExp(
  `^(rk\\.v1\\.gw\\.(anon|device)\\.(auth|dir|room|admin|push|marker|pairing|login|register|device)\\.[a-z]+|other|ok|busy|error|success|failure|app|push|none|[1-5]xx|\\d{3}|${ERROR_CODES})$`,
);

/** Every request subject the gateway serves, from core/transport's subject tables. */
const ENDPOINTS = Object.values(subjects as Record<string, unknown>)
  .filter((table): table is Record<string, unknown> => typeof table === 'object' && table !== null)
  .flatMap((table) => Object.values(table))
  .filter(
    (subject): subject is string =>
      typeof subject === 'string' && /^rk\.v1\.gw\.(anon|device)\.[a-z.]+$/.test(subject),
  );

const HOSTILE = [
  'alice.smith',
  'rk.v1.gw.device.room.create.alice',
  'rk.v1.gw.device.dir.user.UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NQCNF2',
  'rk.v1.room.3f.0123456789abcdef0123456789abcdef.msg',
  'rk.v1.gw.anon.login.start.192.168.1.20',
  'rk.v1.gw.device.room.*',
  'rk.v1.gw.device.room.>',
  'RK.V1.GW.DEVICE.ROOM.CREATE',
  'rk.v1.gw.device.room.create\nx',
];

function labelValues(text: string): Array<[string, string, string]> {
  const values: Array<[string, string, string]> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('roomkey_') || !line.includes('{')) continue;
    const name = line.slice(0, line.indexOf('{'));
    for (const [, key, value] of line.matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) {
      values.push([name, key!, value!]);
    }
  }
  return values;
}

test('every endpoint the gateway serves is its own label', () => {
  assert.ok(ENDPOINTS.length >= 30, `found the subject tables (${ENDPOINTS.length})`);
  for (const subject of ENDPOINTS) {
    assert.equal(endpointLabel(subject), subject);
    assert.match(subject, ALLOWED);
  }
});

test('subjects with names, ids, addresses or wildcards become "other"', () => {
  for (const subject of HOSTILE) assert.equal(endpointLabel(subject), 'other', subject);
});

test('outcomes and push statuses map to fixed words', () => {
  assert.equal(outcomeLabel('ok'), 'ok');
  assert.equal(outcomeLabel('busy'), 'busy');
  assert.equal(outcomeLabel('rate-limited'), 'rate-limited');
  assert.equal(outcomeLabel('user alice not found'), 'error');
  assert.equal(pushStatusLabel(410), '410');
  assert.equal(pushStatusLabel(429), '429');
  assert.equal(pushStatusLabel(418), '4xx');
  assert.equal(pushStatusLabel(0), 'none');
  assert.equal(pushStatusLabel(Number.NaN), 'none');
  assert.equal(pushStatusLabel(99_999), 'other');
});

test('whatever the hooks are fed, the exposition holds only allowed label values', async () => {
  const metrics = new GatewayMetrics({ processMetrics: false });
  for (const subject of [...ENDPOINTS, ...HOSTILE]) {
    for (const outcome of ['ok', 'busy', 'rate-limited', 'forbidden', 'alice.smith', '"}injected{x="']) {
      metrics.request(subject, outcome, 0.002);
    }
  }
  metrics.routed(3, 1);
  for (const status of [201, 400, 404, 410, 413, 429, 500, 503, 0, 418, 999, -1]) metrics.pushResult(status);
  metrics.jwtIssued();
  metrics.watchRooms(async () => 7);
  const text = await metrics.text();
  const values = labelValues(text);
  assert.ok(values.length > 100, 'labels were produced');
  for (const [name, key, value] of values) {
    if (key === 'le') continue; // histogram bucket bounds
    assert.match(value, ALLOWED, `${name} ${key}="${value}"`);
  }
  assert.match(text, /^roomkey_rooms 7$/m);
  assert.match(text, /^roomkey_notifications_routed_total\{channel="app"\} 3$/m);
  assert.match(text, /^roomkey_push_failures_total\{status="410"\} 1$/m);
  assert.match(text, /^roomkey_push_sent_total 1$/m);
  for (const fragment of ['alice', 'UDXU4R', '0123456789abcdef', '192.168', 'injected']) {
    assert.ok(!text.includes(fragment), `"${fragment}" reached the metrics`);
  }
  assert.doesNotMatch(text, /roomkey_certificate_expiry/, 'no certificate hook, no expiry metric');
});

test('the certificate expiry appears once TLS reports a certificate', async () => {
  const metrics = new GatewayMetrics({ processMetrics: false });
  const notAfterMs = Date.UTC(2027, 2, 1);
  metrics.watchCertificate(() => notAfterMs);
  assert.match(
    await metrics.text(),
    new RegExp(`^roomkey_certificate_expiry_timestamp_seconds ${notAfterMs / 1000}$`, 'm'),
  );
});
