// The extension's DNS guard (extension/lib/dns-guard.ts) against the real local DoH server
// (test/helpers/doh-server.ts): the browser's half is a stand-in probe here (a real Chromium and
// Firefox run it in test/e2e/extension-dns*.test.ts). `off` asks nothing; require refuses with
// DnsNotPrivateError and still records the status; the deployment's dohUrl is used under `auto`.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DnsNotPrivateError, type DnsPolicy, type DnsStatus } from '../../../core/dns/index.ts';
import { connectTargets, DnsGuard, type DnsProbes } from '../../../extension/lib/dns-guard.ts';
import { startDohServer, type TestDohServer } from '../../helpers/doh-server.ts';

describe('extension DNS guard', () => {
  let doh: TestDohServer;
  before(async () => {
    doh = await startDohServer({
      zone: {
        records: [{ name: 'gw.test', type: 'A', data: '127.0.0.1' }],
        soa: { zone: 'test', ttl: 60, minimum: 60 },
      },
    });
  });
  after(() => doh.close());

  const guard = (policy: DnsPolicy, probes: DnsProbes, seen: DnsStatus[] = []) =>
    new DnsGuard({
      probes,
      settings: async () => ({ dnsPolicy: policy, dohResolver: doh.url }),
      onStatus: (s) => seen.push(s),
      timeoutMs: 1000,
    });
  const probed: string[] = [];
  const chromium = (ip: string | undefined): DnsProbes => ({
    browser: 'chromium',
    connectedAddress: async (url) => {
      probed.push(url);
      return ip;
    },
  });

  it('require with a matching answer passes; the probe asked for the deployment config', async () => {
    const status = await guard('require', chromium('127.0.0.1')).check('http://gw.test:8080/base/', {});
    assert.equal(status.finding, 'doh-match');
    assert.equal(probed.at(-1), 'http://gw.test:8080/base/roomkey-config.json');
    assert.deepEqual(
      doh.requests.map((r) => [r.name, r.type]),
      [
        ['gw.test', 'A'],
        ['gw.test', 'AAAA'],
      ],
    );
  });

  it('require with another address refuses, and the status is recorded first', async () => {
    const seen: DnsStatus[] = [];
    await assert.rejects(
      guard('require', chromium('198.51.100.7'), seen).check('http://gw.test/', {}),
      (e: unknown) => e instanceof DnsNotPrivateError && /possible DNS tampering/i.test(e.message),
    );
    assert.equal(seen[0]?.finding, 'mismatch');
  });

  it('require with the DoH server failing refuses; prefer connects with the warning', async () => {
    doh.behave({ mode: 'http-error', status: 503 });
    try {
      await assert.rejects(
        guard('require', chromium('127.0.0.1')).check('http://gw.test/', {}),
        DnsNotPrivateError,
      );
      const status = await guard('prefer', chromium('127.0.0.1')).check('http://gw.test/', {});
      assert.equal(status.finding, 'doh-failed');
      assert.match(status.detail, /HTTP 503/);
    } finally {
      doh.behave({ mode: 'answer' });
    }
  });

  it('off asks neither the DoH server nor the browser', async () => {
    await new Promise((resolve) => setTimeout(resolve, 200)); // the failed lookup's stray request
    const before = doh.requests.length;
    const probes = probed.length;
    const status = await guard('off', chromium('198.51.100.7')).check('http://gw.test/', {});
    assert.equal(status.finding, 'off');
    assert.equal(doh.requests.length, before);
    assert.equal(probed.length, probes);
  });

  it('an IP address or localhost needs no lookup; Firefox asks its own resolver only', async () => {
    const before = doh.requests.length;
    assert.equal(
      (await guard('require', chromium(undefined)).check('http://127.0.0.1:9/', {})).finding,
      'no-dns',
    );
    assert.equal(
      (await guard('require', chromium(undefined)).check('http://localhost:9/', {})).finding,
      'no-dns',
    );
    const asked: string[] = [];
    const firefox = (isTRR: boolean): DnsProbes => ({
      browser: 'firefox',
      trr: async (host) => {
        asked.push(host);
        return isTRR;
      },
    });
    assert.equal((await guard('require', firefox(true)).check('https://gw.test/', {})).finding, 'trr');
    await assert.rejects(
      guard('require', firefox(false)).check('https://gw.test/', {}),
      (e: unknown) =>
        e instanceof DnsNotPrivateError && /Settings → Privacy & Security → DNS over HTTPS/.test(e.message),
    );
    assert.deepEqual(asked, ['gw.test', 'gw.test']);
    assert.equal(doh.requests.length, before);
  });

  it('auto uses the deployment config dohUrl', async () => {
    // A failed lookup rejects on its first failing type; the other type's request may still land.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = doh.requests.length;
    const auto = new DnsGuard({
      probes: chromium('127.0.0.1'),
      settings: async () => ({ dnsPolicy: 'require', dohResolver: 'auto' }),
    });
    assert.equal((await auto.check('http://gw.test/', { dohUrl: doh.url })).finding, 'doh-match');
    assert.equal(doh.requests.length, before + 2);
  });

  it('a NATS WebSocket host of another name is checked too; require refuses when it is not private', async () => {
    assert.deepEqual(
      connectTargets('https://gw.test/', ['wss://nats.test/ws', 'ws://127.0.0.1:4222', 'wss://gw.test/x']),
      [
        { host: 'gw.test', probeUrl: 'https://gw.test/roomkey-config.json' },
        { host: 'nats.test', probeUrl: 'https://nats.test/' },
        { host: '127.0.0.1', probeUrl: 'http://127.0.0.1:4222/' },
      ],
    );
    await new Promise((resolve) => setTimeout(resolve, 200)); // a failed lookup's stray request
    const before = doh.requests.length;
    const seen: DnsStatus[] = [];
    await assert.rejects(
      guard('require', chromium('127.0.0.1'), seen).check('http://gw.test/', {
        natsWebSocketUrl: 'ws://nats.test:4222',
      }),
      (e: unknown) =>
        e instanceof DnsNotPrivateError && e.status.host === 'nats.test' && /does not exist/.test(e.message),
    );
    assert.equal(seen[0]?.finding, 'doh-failed');
    assert.deepEqual(
      new Set(doh.requests.slice(before).map((r) => r.name)),
      new Set(['gw.test', 'nats.test']),
    );
    assert.deepEqual(probed.slice(-2).sort(), [
      'http://gw.test/roomkey-config.json',
      'http://nats.test:4222/',
    ]);
  });
});
