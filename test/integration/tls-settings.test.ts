// The pure parts of TLS and certificates, checked without servers: what an operator may type into
// `init --tls-names/--acme-directory`, the sealed certificate record as hostile input, when a
// renewal is due, and the nats-server TLS blocks 2.9.10 accepts (no min_version).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { utf8 } from '../../core/bytes.ts';
import { MalformedError } from '../../core/errors.ts';
import { CERT_RECORD, type CertRecord } from '../../gateway/cert-record.ts';
import { needsRenewal } from '../../gateway/cert-renewer.ts';
import { formatCertificateStatus } from '../../gateway/cert-status.ts';
import { natsTlsBlock } from '../../gateway/tls-policy.ts';
import { LETS_ENCRYPT_DIRECTORY, tlsSettingsFrom } from '../../gateway/tls-settings.ts';

const DAY = 86_400_000;
const record: CertRecord = {
  names: ['chat.example.org'],
  certPem: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n',
  keyPem: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n',
  notBeforeMs: 1_000 * DAY,
  notAfterMs: 1_090 * DAY,
  renewedAtMs: 1_000 * DAY,
  renewer: 'gw-1/42',
  accountKeyPem: '-----BEGIN PRIVATE KEY-----\ny\n-----END PRIVATE KEY-----\n',
  accountUrl: 'https://ca.example/acct/1',
  directoryUrl: LETS_ENCRYPT_DIRECTORY,
};

test('operator input: DNS names and an https ACME directory, refused otherwise with what to type', () => {
  const ok = tlsSettingsFrom({ names: 'Chat.Example.org, www.example.org', certDir: '/srv/tls' });
  assert.deepEqual(ok.names, ['chat.example.org', 'www.example.org']);
  assert.equal(ok.acmeDirectory, LETS_ENCRYPT_DIRECTORY);
  for (const names of ['', 'https://chat.example.org', 'chat.example.org:443', '10.0.0.1', 'a b']) {
    assert.throws(() => tlsSettingsFrom({ names, certDir: '/x' }), MalformedError, names);
  }
  assert.throws(
    () => tlsSettingsFrom({ names: 'a.example', acmeDirectory: 'http://ca.example/dir', certDir: '/x' }),
    /https/,
  );
  assert.throws(() => tlsSettingsFrom({ names: 'a.example', acmeEmail: 'nobody', certDir: '/x' }), /email/);
});

test('the certificate record round-trips and refuses anything malformed', () => {
  assert.deepEqual(CERT_RECORD.decode(CERT_RECORD.encode(record).finish()), record);
  const bad: unknown[] = [
    null,
    [],
    { ...record, names: [] },
    { ...record, names: ['a.example', 7] },
    { ...record, names: ['bad name'] },
    { ...record, certPem: '' },
    { ...record, keyPem: 'x'.repeat(70_000) },
    { ...record, notAfterMs: -1 },
    { ...record, notAfterMs: 1.5 },
    { ...record, renewer: undefined },
  ];
  for (const value of bad) {
    assert.throws(
      () => CERT_RECORD.decode(utf8(JSON.stringify(value))),
      Error,
      JSON.stringify(value)?.slice(0, 60),
    );
  }
  assert.throws(() => CERT_RECORD.decode(new Uint8Array([0xff, 0xfe])));
});

test('renewal is due with no certificate, other names, or from 2/3 of the lifetime on', () => {
  assert.equal(needsRenewal(undefined, ['chat.example.org'], 0), true);
  assert.equal(needsRenewal(record, ['chat.example.org'], 1_059 * DAY), false);
  assert.equal(needsRenewal(record, ['chat.example.org'], 1_060 * DAY), true);
  assert.equal(needsRenewal(record, ['chat.example.org', 'www.example.org'], 1_001 * DAY), true);
});

test('nats-server TLS blocks list only TLS 1.3 suites and no min_version (2.9.10 refuses the field)', () => {
  const block = natsTlsBlock({ certFile: '/t/cert.pem', keyFile: '/t/key.pem' }).join('\n');
  assert.doesNotMatch(block, /min_version/);
  assert.match(
    block,
    /cipher_suites: \["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"\]/,
  );
});

test('status line: names, expiry, last renewal and renewer, never the key', () => {
  const line = formatCertificateStatus({ ...record, renewsAtMs: 1_060 * DAY }, 1_030 * DAY);
  assert.match(
    line,
    /^chat\.example\.org: valid until \S+ \(60\.0 days\); renewed \S+ by gw-1\/42; next renewal from /,
  );
  assert.match(formatCertificateStatus({ ...record, renewsAtMs: 0 }, 1_100 * DAY), /EXPIRED/);
  assert.doesNotMatch(line, /PRIVATE/);
});
