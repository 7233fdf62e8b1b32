// The DNS check again while connected (extension/lib/dns-recheck.ts): a real nats-server restarted
// under a real nats.js connection (its `reconnect` status events), the real local DoH server
// (test/helpers/doh-server.ts) told to lie, and the guard of extension/lib/dns-guard.ts; the
// browser's half is a stand-in probe that reports the address the browser reached (Chromium runs
// the real one in test/e2e/extension-dns-reconnect.test.ts). Under require a failed re-check
// closes the connection; under prefer it stays and the warning is recorded; reconnects in a burst
// share one check; a change of policy checks at once, a change of something else does not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { credsAuthenticator, type NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { DnsNotPrivateError, type DnsStatus } from '../../../core/dns/index.ts';
import { DnsGuard, type DnsProbes } from '../../../extension/lib/dns-guard.ts';
import { DnsRecheck, type FollowedConnection } from '../../../extension/lib/dns-recheck.ts';
import type { DnsSettings } from '../../../extension/lib/dns-settings.ts';
import { stackPaths } from '../../../gateway/data-dir.ts';
import { startDohServer, type TestDohServer } from '../../helpers/doh-server.ts';
import { startTestNats, type TestNats } from '../../helpers/nats-server.ts';

const GATEWAY = 'http://gw.test:8080/';

async function until(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('extension DNS re-check on reconnects', { timeout: 120_000 }, () => {
  let nats: TestNats;
  let doh: TestDohServer;
  const open: NatsConnection[] = [];

  before(async () => {
    [nats, doh] = await Promise.all([
      startTestNats(),
      startDohServer({
        zone: {
          records: [{ name: 'gw.test', type: 'A', data: '127.0.0.1' }],
          soa: { zone: 'test', ttl: 60, minimum: 60 },
        },
      }),
    ]);
  });
  after(async () => {
    await Promise.allSettled(open.map((nc) => nc.close()));
    await doh?.close();
    await nats?.stop();
  });

  const connection = async (): Promise<NatsConnection> => {
    const nc = await connect({
      servers: nats.clientUrl,
      authenticator: credsAuthenticator(readFileSync(stackPaths(nats.stack.dir).gatewayCreds)),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 100,
      reconnectJitter: 0,
    });
    open.push(nc);
    return nc;
  };

  /** The guard, its re-check and what they reported; the browser says it reached 127.0.0.1. */
  const setUp = (settings: DnsSettings, minIntervalMs = 200) => {
    const seen: DnsStatus[] = [];
    const refused: { target: FollowedConnection; error: Error }[] = [];
    const probes: DnsProbes = { browser: 'chromium', connectedAddress: async () => '127.0.0.1' };
    const guard = new DnsGuard({
      probes,
      settings: async () => ({ ...settings }),
      onStatus: (s) => seen.push(s),
      timeoutMs: 1000,
    });
    const recheck = new DnsRecheck({
      guard,
      minIntervalMs,
      onRefused: (target, error) => refused.push({ target, error }),
    });
    return { guard, recheck, seen, refused, settings };
  };
  const lookupsNow = () => doh.requests.filter((r) => r.name === 'gw.test').length;
  /** Restarts the broker and waits until `nc` is back. */
  const restartBroker = async (nc: NatsConnection) => {
    const back = (async () => {
      for await (const s of nc.status()) if (s.type === 'reconnect') return;
    })();
    await nats.restart();
    await back;
  };

  it('require: a reconnect is checked again; a lying DoH server then closes the connection', async () => {
    doh.zone.records[0]!.data = '127.0.0.1';
    const { guard, recheck, seen, refused } = setUp({ dnsPolicy: 'require', dohResolver: doh.url });
    await guard.check(GATEWAY, {}); // the connect-time check (sdk-wiring's beforeConnect)
    const nc = await connection();
    const session = {};
    recheck.follow({ session, gateway: GATEWAY, cfg: {}, connection: nc });

    let lookups = lookupsNow();
    await restartBroker(nc);
    await until('the re-check after the reconnect', () => lookupsNow() >= lookups + 2 && seen.length >= 2);
    assert.equal(seen.at(-1)?.finding, 'doh-match');
    assert.equal(nc.isClosed(), false, 'a private answer keeps the connection');
    assert.equal(refused.length, 0);

    doh.zone.records[0]!.data = '192.0.2.55'; // the DoH answer no longer matches the browser's
    lookups = lookupsNow();
    await restartBroker(nc);
    await until('the refusal', () => refused.length === 1);
    assert.ok(lookupsNow() >= lookups + 2);
    assert.equal(nc.isClosed(), true, 'require: the connection is closed');
    const { target, error } = refused[0]!;
    assert.equal(target.session, session);
    assert.ok(error instanceof DnsNotPrivateError);
    assert.match(error.message, /Private DNS is required, so RoomKey did not connect to gw\.test/);
    assert.match(error.message, /Possible DNS tampering/);
    assert.equal(seen.at(-1)?.text, 'DNS: not private — possible DNS tampering');
  });

  it('prefer: the same reconnect stays connected and records the warning', async () => {
    doh.zone.records[0]!.data = '192.0.2.56';
    const { recheck, seen, refused } = setUp({ dnsPolicy: 'prefer', dohResolver: doh.url });
    const nc = await connection();
    recheck.follow({ session: {}, gateway: GATEWAY, cfg: {}, connection: nc });
    await restartBroker(nc);
    await until('the re-check', () => seen.length === 1);
    assert.equal(seen[0]!.finding, 'mismatch');
    assert.match(seen[0]!.detail, /DNS over HTTPS says 192\.0\.2\.56/);
    assert.equal(refused.length, 0);
    assert.equal(nc.isClosed(), false);
    await nc.close();
  });

  it('a burst of reconnects shares one check per interval (the rate limit)', async () => {
    doh.zone.records[0]!.data = '127.0.0.1';
    const { recheck } = setUp({ dnsPolicy: 'require', dohResolver: doh.url }, 3000);
    const nc = await connection();
    let reconnects = 0;
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'reconnect') reconnects++;
    })();
    recheck.follow({ session: {}, gateway: GATEWAY, cfg: {}, connection: nc });
    const lookups = lookupsNow();
    const started = Date.now();
    for (let i = 0; i < 6; i++) {
      await nc.reconnect();
      await until(`reconnect ${i + 1}`, () => reconnects === i + 1);
    }
    assert.ok(Date.now() - started < 3000, 'the burst fits in one interval');
    // Nothing before the interval since the follow (the connect-time check) has passed…
    assert.equal(recheck.checks, 0);
    // …then one check for the whole burst.
    await until('the one check', () => recheck.checks === 1 && lookupsNow() === lookups + 2);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    assert.equal(recheck.checks, 1, 'no second check without a new reconnect');
    assert.equal(lookupsNow(), lookups + 2, 'A and AAAA, once');
    assert.equal(nc.isClosed(), false);
    await nc.close();
  });

  it('switching to require while connected checks at once and refuses; other settings do not check', async () => {
    doh.zone.records[0]!.data = '192.0.2.57';
    const { guard, recheck, seen, refused, settings } = setUp(
      { dnsPolicy: 'prefer', dohResolver: doh.url },
      60_000, // no reconnect-driven check could run in this test
    );
    await guard.check(GATEWAY, {}); // connected under prefer, with the warning
    const nc = await connection();
    recheck.follow({ session: {}, gateway: GATEWAY, cfg: {}, connection: nc });
    recheck.settingsChanged({ ...settings }); // e.g. previews toggled: the DNS settings are the same
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(recheck.checks, 0);

    settings.dnsPolicy = 'require';
    recheck.settingsChanged({ ...settings });
    await until('the refusal', () => refused.length === 1);
    assert.equal(recheck.checks, 1);
    assert.equal(nc.isClosed(), true);
    assert.equal(seen.at(-1)?.policy, 'require');
    assert.equal(seen.at(-1)?.finding, 'mismatch');
  });

  it('a connection no longer followed (locked, replaced) is not checked', async () => {
    doh.zone.records[0]!.data = '127.0.0.1';
    const { recheck } = setUp({ dnsPolicy: 'require', dohResolver: doh.url }, 0);
    const first = await connection();
    const stop = recheck.follow({ session: {}, gateway: GATEWAY, cfg: {}, connection: first });
    stop();
    const second = await connection();
    recheck.follow({ session: {}, gateway: GATEWAY, cfg: {}, connection: second });
    await first.close();
    await restartBroker(second);
    await until('the second one checked', () => recheck.checks === 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(recheck.checks, 1, 'only the followed connection');
    await second.close();
  });
});
