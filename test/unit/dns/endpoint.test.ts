// Resolver choice: the DoH URL rule (https, or http on loopback only) shared by the deployment
// config, the user's own entry and the well-known list; the list is data and every entry passes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DohResolver, parseDohUrl, WELL_KNOWN_RESOLVERS } from '../../../core/dns/index.ts';
import { MalformedError } from '../../../core/errors.ts';

describe('DoH resolver URLs', () => {
  it('keeps https URLs and loopback http, normalized; reduces an RFC 8484 template', () => {
    assert.equal(parseDohUrl('https://dns.quad9.net/dns-query'), 'https://dns.quad9.net/dns-query');
    assert.equal(parseDohUrl(' HTTPS://DNS.Example/q?ct=1 '), 'https://dns.example/q?ct=1');
    assert.equal(parseDohUrl('https://dns.example/dns-query{?dns}'), 'https://dns.example/dns-query');
    assert.equal(parseDohUrl('http://127.0.0.1:8053/dns-query'), 'http://127.0.0.1:8053/dns-query');
    assert.equal(parseDohUrl('http://[::1]:8053/dns-query'), 'http://[::1]:8053/dns-query');
    assert.equal(parseDohUrl('http://localhost/dns-query'), 'http://localhost/dns-query');
  });

  it('refuses anything else, saying what to enter', () => {
    for (const url of [
      '',
      'dns.quad9.net',
      'http://dns.quad9.net/dns-query',
      'http://127.0.0.1.evil.example/dns-query',
      'ftp://dns.example/',
      'javascript:alert(1)',
      'https://user:pw@dns.example/dns-query',
      'https://dns.example/dns-query#x',
      'https://dns.example/dns-query?dns=AAAA',
      42 as unknown as string,
    ]) {
      assert.throws(
        () => parseDohUrl(url),
        (e: unknown) =>
          e instanceof MalformedError && /Enter the resolver's full https:\/\/ address/.test(e.message),
        String(url),
      );
      assert.throws(() => new DohResolver({ url }), MalformedError);
    }
  });

  it('lists well-known resolvers as data: unique ids, https URLs that pass the rule', () => {
    assert.ok(WELL_KNOWN_RESOLVERS.length >= 4);
    const ids = WELL_KNOWN_RESOLVERS.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const resolver of WELL_KNOWN_RESOLVERS) {
      assert.ok(resolver.name.length > 0);
      assert.ok(resolver.url.startsWith('https://'));
      assert.equal(parseDohUrl(resolver.url), resolver.url);
    }
    for (const id of ['cloudflare', 'quad9', 'mullvad']) assert.ok(ids.includes(id), id);
    assert.ok(Object.isFrozen(WELL_KNOWN_RESOLVERS) && Object.isFrozen(WELL_KNOWN_RESOLVERS[0]));
  });
});
