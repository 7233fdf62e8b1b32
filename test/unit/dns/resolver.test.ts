// core/dns's resolver against the local DoH server over real HTTP: GET and POST on the wire,
// A and AAAA, CNAME chains, NXDOMAIN/NODATA, TTL caching (floor, ceiling, smallest TTL of the
// chain, SOA minimum for negative answers), one request per name in flight, IP literals unasked.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as dnsPacket from '@leichtgewicht/dns-packet';
import { fromBase64Url } from '../../../core/bytes.ts';
import { DohResolver, NameNotFoundError, QUERY_BLOCK } from '../../../core/dns/index.ts';
import { MalformedError } from '../../../core/errors.ts';
import { startDohServer, type TestDohServer } from '../../helpers/doh-server.ts';

const ZONE = {
  records: [
    { name: 'gw.test', type: 'A' as const, data: '192.0.2.10', ttl: 300 },
    { name: 'gw.test', type: 'A' as const, data: '192.0.2.11', ttl: 300 },
    { name: 'gw.test', type: 'AAAA' as const, data: '2001:db8::10', ttl: 300 },
    { name: 'www.test', type: 'CNAME' as const, data: 'edge.test', ttl: 60 },
    { name: 'edge.test', type: 'CNAME' as const, data: 'origin.test', ttl: 600 },
    { name: 'origin.test', type: 'A' as const, data: '192.0.2.20', ttl: 900 },
    { name: 'v4only.test', type: 'A' as const, data: '192.0.2.30', ttl: 300 },
    { name: 'short.test', type: 'A' as const, data: '192.0.2.40', ttl: 1 },
    { name: 'long.test', type: 'A' as const, data: '192.0.2.50', ttl: 604800 },
  ],
  soa: { zone: 'test', ttl: 900, minimum: 120 },
};

let server: TestDohServer;
let clock = 1_000_000;
const now = () => clock;

before(async () => {
  server = await startDohServer({ zone: ZONE });
});
after(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.behave({ mode: 'answer' });
});

describe('DohResolver on the wire', () => {
  it('asks over GET with ?dns= base64url (no padding), id 0, one question, padded to 128 bytes', async () => {
    const seen: string[] = [];
    // Observes the real requests on their way to the real server (the only use of `fetch` here).
    const fetchSpy: typeof fetch = (input, init) => {
      seen.push(String(input));
      return fetch(input, init);
    };
    const resolver = new DohResolver({ url: server.url, fetch: fetchSpy });
    const result = await resolver.resolve('GW.test.', 'A');
    assert.deepEqual(result.addresses, ['192.0.2.10', '192.0.2.11']);
    assert.equal(result.name, 'gw.test');
    assert.equal(result.fromCache, false);
    assert.equal(server.requests.length, 1);
    const request = server.requests[0]!;
    assert.equal(request.method, 'GET');
    assert.equal(request.accept, 'application/dns-message');
    assert.equal(request.id, 0);
    assert.equal(request.queryBytes % QUERY_BLOCK, 0);
    const dns = new URL(seen[0]!).searchParams.get('dns')!;
    assert.match(dns, /^[A-Za-z0-9_-]+$/, 'base64url without = padding');
    const query = dnsPacket.decode(fromBase64Url(dns));
    assert.equal(query.questions?.length, 1);
    assert.equal(query.questions![0]!.name, 'gw.test');
    assert.equal(query.flag_rd, true);
  });

  it('asks over POST with an application/dns-message body when told to', async () => {
    const resolver = new DohResolver({ url: server.url, method: 'POST' });
    assert.deepEqual((await resolver.resolve('gw.test', 'AAAA')).addresses, ['2001:db8::10']);
    assert.equal(server.requests[0]!.method, 'POST');
    assert.equal(server.requests[0]!.type, 'AAAA');
    assert.equal(server.requests[0]!.queryBytes % QUERY_BLOCK, 0);
  });

  it('follows a CNAME chain and keeps the answer for the smallest TTL in it', async () => {
    const resolver = new DohResolver({ url: server.url, now });
    const result = await resolver.resolve('www.test', 'A');
    assert.deepEqual(result.addresses, ['192.0.2.20']);
    assert.equal(result.canonicalName, 'origin.test');
    assert.equal(result.expiresAtMs, clock + 60_000, 'the first CNAME (60 s) is the weakest link');
  });

  it('answers from the cache until the TTL runs out, then asks again', async () => {
    const resolver = new DohResolver({ url: server.url, now });
    await resolver.resolve('gw.test', 'A');
    clock += 299_000;
    const cached = await resolver.resolve('gw.test', 'A');
    assert.equal(cached.fromCache, true);
    assert.equal(server.requests.length, 1, 'no second request within the TTL');
    clock += 1_000;
    assert.equal((await resolver.resolve('gw.test', 'A')).fromCache, false);
    assert.equal(server.requests.length, 2);
    resolver.clearCache();
    await resolver.resolve('gw.test', 'A');
    assert.equal(server.requests.length, 3, 'clearCache forgets');
  });

  it('clamps TTLs to the floor and the ceiling', async () => {
    const resolver = new DohResolver({ url: server.url, now });
    assert.equal((await resolver.resolve('short.test', 'A')).expiresAtMs, clock + 30_000, '1 s → 30 s floor');
    assert.equal((await resolver.resolve('long.test', 'A')).expiresAtMs, clock + 3_600_000, '7 days → 1 h');
    const tight = new DohResolver({ url: server.url, now, ttl: { minS: 5, maxS: 60 } });
    assert.equal((await tight.resolve('long.test', 'A')).expiresAtMs, clock + 60_000);
  });

  it('NXDOMAIN is a NameNotFoundError, cached for the SOA minimum', async () => {
    const resolver = new DohResolver({ url: server.url, now });
    await assert.rejects(resolver.resolve('missing.test', 'A'), (e: unknown) => {
      assert.ok(e instanceof NameNotFoundError);
      assert.equal(e.code, 'not-found');
      assert.equal(e.reason, 'nxdomain');
      assert.equal(e.host, 'missing.test');
      assert.match(e.message, /does not exist.*check the address/);
      return true;
    });
    clock += 119_000;
    await assert.rejects(resolver.resolve('missing.test', 'A'), NameNotFoundError);
    assert.equal(server.requests.length, 1, 'negative answer cached (min(SOA TTL 900, MINIMUM 120))');
    clock += 1_000;
    await assert.rejects(resolver.resolve('missing.test', 'A'), NameNotFoundError);
    assert.equal(server.requests.length, 2);
  });

  it('NODATA (the name has no record of that type) is a NameNotFoundError too', async () => {
    const resolver = new DohResolver({ url: server.url, now });
    await assert.rejects(
      resolver.resolve('v4only.test', 'AAAA'),
      (e: unknown) => e instanceof NameNotFoundError && e.reason === 'nodata',
    );
  });

  it('caches a negative answer without an SOA for the small default', async () => {
    const bare = await startDohServer({ zone: { records: [] } });
    try {
      const resolver = new DohResolver({ url: bare.url, now });
      await assert.rejects(resolver.resolve('nothing.example', 'A'), NameNotFoundError);
      clock += 29_000;
      await assert.rejects(resolver.resolve('nothing.example', 'A'), NameNotFoundError);
      assert.equal(bare.requests.length, 1);
      clock += 1_000;
      await assert.rejects(resolver.resolve('nothing.example', 'A'), NameNotFoundError);
      assert.equal(bare.requests.length, 2, '30 s default');
    } finally {
      await bare.close();
    }
  });

  it('sends one request for concurrent questions about the same name and type', async () => {
    const resolver = new DohResolver({ url: server.url });
    const results = await Promise.all([1, 2, 3].map(() => resolver.resolve('gw.test', 'A')));
    assert.equal(server.requests.length, 1);
    for (const r of results) assert.deepEqual(r.addresses, ['192.0.2.10', '192.0.2.11']);
  });

  it('lookup gives A and AAAA together; an IP literal asks nothing', async () => {
    const resolver = new DohResolver({ url: server.url });
    assert.deepEqual((await resolver.lookup('gw.test')).addresses, [
      { address: '192.0.2.10', family: 4 },
      { address: '192.0.2.11', family: 4 },
      { address: '2001:db8::10', family: 6 },
    ]);
    assert.deepEqual((await resolver.lookup('v4only.test')).addresses, [
      { address: '192.0.2.30', family: 4 },
    ]);
    await assert.rejects(resolver.lookup('missing.test'), NameNotFoundError);
    server.requests.length = 0;
    assert.deepEqual((await resolver.lookup('127.0.0.1')).addresses, [{ address: '127.0.0.1', family: 4 }]);
    assert.deepEqual((await resolver.lookup('[::1]')).addresses, [{ address: '::1', family: 6 }]);
    assert.equal(server.requests.length, 0, 'no lookups happened');
  });

  it('refuses names that are not host names before anything is sent', async () => {
    const resolver = new DohResolver({ url: server.url });
    for (const name of [
      '',
      'a..b',
      '-x.test',
      'x'.repeat(64) + '.test',
      'é.test',
      'a b.test',
      '10.0.0.1',
      'a.'.repeat(127) + 'test',
    ])
      await assert.rejects(resolver.resolve(name, 'A'), MalformedError, JSON.stringify(name));
    await assert.rejects(resolver.resolve('gw.test', 'MX' as 'A'), MalformedError);
    assert.equal(server.requests.length, 0, 'no lookups happened');
  });
});
