// The DNS policy's one decision (core/dns/policy.ts): off / prefer / require against every kind of
// evidence a browser probe can bring; require never connects unless private, prefer always connects
// and carries the warning, off ignores evidence; the refusal is a typed error that says how to fix it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  combineDecisions,
  DEFAULT_DNS_POLICY,
  type DnsEvidence,
  DnsNotPrivateError,
  decideDns,
  parseResolverChoice,
  resolverUrlFor,
  sameAddressForm,
  WELL_KNOWN_RESOLVERS,
} from '../../../core/dns/index.ts';
import { ForbiddenError, MalformedError } from '../../../core/errors.ts';

const host = 'gw.example';
const match: DnsEvidence = { kind: 'compare', doh: ['192.0.2.1', '2001:db8::1'], connected: '192.0.2.1' };
const mismatch: DnsEvidence = { kind: 'compare', doh: ['192.0.2.1'], connected: '203.0.113.66' };
const dohDown: DnsEvidence = {
  kind: 'compare',
  doh: new Error('The DoH resolver at dns.example could not be reached.'),
  connected: '192.0.2.1',
};
const unseen: DnsEvidence = { kind: 'compare', doh: ['192.0.2.1'], connected: undefined };
const trr: DnsEvidence = { kind: 'trr', isTRR: true };
const noTrr: DnsEvidence = { kind: 'trr', isTRR: false };
const noProbe: DnsEvidence = { kind: 'no-probe', why: 'no API' };

describe('DNS policy', () => {
  it('defaults to prefer', () => {
    assert.equal(DEFAULT_DNS_POLICY, 'prefer');
  });

  it('require connects only when private: TRR, a matching DoH answer, or no lookup at all', () => {
    for (const [evidence, browser] of [
      [trr, 'firefox'],
      [match, 'chromium'],
      [{ kind: 'no-lookup' }, 'chromium'],
    ] as const) {
      const { connect, status } = decideDns({ policy: 'require', host, browser, evidence });
      assert.equal(connect, true, evidence.kind);
      assert.equal(status.private, true);
      assert.match(status.text, /^DNS: (private|not used)$/);
    }
  });

  it('require refuses everything else, and each status says why and how to fix it', () => {
    const cases = [
      [
        noTrr,
        'firefox',
        'no-trr',
        /Firefox is not using DNS over HTTPS/,
        /Privacy & Security → DNS over HTTPS/,
      ],
      [mismatch, 'chromium', 'mismatch', /possible DNS tampering/, /Use secure DNS/],
      [dohDown, 'chromium', 'doh-failed', /private lookup failed/, /could not be reached.*Use secure DNS/],
      [unseen, 'chromium', 'no-address', /could not see the address/, /Use secure DNS/],
      [noProbe, 'chromium', 'no-probe', /cannot check/, /Use secure DNS/],
    ] as const;
    for (const [evidence, browser, finding, text, detail] of cases) {
      const { connect, status } = decideDns({ policy: 'require', host, browser, evidence });
      assert.equal(connect, false, finding);
      assert.equal(status.finding, finding);
      assert.equal(status.private, false);
      assert.match(status.text, /^DNS: not private — /);
      assert.match(status.text, text);
      assert.match(status.detail, detail);
    }
  });

  it('prefer connects whatever it finds, and keeps the warning', () => {
    for (const evidence of [mismatch, dohDown, unseen, noProbe, noTrr]) {
      const { connect, status } = decideDns({ policy: 'prefer', host, browser: 'chromium', evidence });
      assert.equal(connect, true);
      assert.equal(status.private, false);
      assert.match(status.text, /^DNS: not private — /);
    }
    assert.equal(
      decideDns({ policy: 'prefer', host, browser: 'chromium', evidence: match }).status.private,
      true,
    );
  });

  it('off connects, checks nothing and says so; require without evidence refuses (never silently)', () => {
    const off = decideDns({ policy: 'off', host, browser: 'chromium', evidence: mismatch });
    assert.equal(off.connect, true);
    assert.equal(off.status.private, null);
    assert.equal(off.status.finding, 'off');
    assert.equal(off.status.text, 'DNS: not checked');
    assert.equal(decideDns({ policy: 'require', host, browser: 'chromium' }).connect, false);
  });

  it('the mismatch names both addresses; the match compares IPv6 and IPv4-mapped forms', () => {
    assert.match(
      decideDns({ policy: 'prefer', host, browser: 'chromium', evidence: mismatch }).status.detail,
      /reached gw\.example at 203\.0\.113\.66, but DNS over HTTPS says 192\.0\.2\.1/,
    );
    for (const connected of ['[2001:DB8:0::1]', '::ffff:192.0.2.1', '::ffff:c000:201']) {
      const evidence: DnsEvidence = { kind: 'compare', doh: ['192.0.2.1', '2001:db8::1'], connected };
      assert.equal(
        decideDns({ policy: 'require', host, browser: 'chromium', evidence }).connect,
        true,
        connected,
      );
    }
    assert.equal(sameAddressForm(' 127.0.0.1 '), '127.0.0.1');
  });

  it('the refusal is a ForbiddenError (code forbidden) with the status and what to do', () => {
    const { status } = decideDns({ policy: 'require', host, browser: 'chromium', evidence: mismatch });
    const error = new DnsNotPrivateError(status);
    assert.ok(error instanceof ForbiddenError);
    assert.equal(error.code, 'forbidden');
    assert.equal(error.status, status);
    assert.match(error.message, /^Private DNS is required, so RoomKey did not connect to gw\.example\. /);
    assert.match(error.message, /Possible DNS tampering.*Use secure DNS.*"Prefer"/s);
  });
});

describe('DNS policy over several names', () => {
  it('connects only if every name may; shows the first refusal, else the first warning', () => {
    const ok = decideDns({ policy: 'prefer', host: 'gw.example', browser: 'chromium', evidence: match });
    const warned = decideDns({
      policy: 'prefer',
      host: 'nats.example',
      browser: 'chromium',
      evidence: mismatch,
    });
    const refused = decideDns({
      policy: 'require',
      host: 'nats.example',
      browser: 'chromium',
      evidence: dohDown,
    });
    assert.deepEqual(combineDecisions([ok, warned]), { connect: true, status: warned.status });
    assert.deepEqual(combineDecisions([ok, warned, refused]), { connect: false, status: refused.status });
    assert.deepEqual(combineDecisions([ok]), ok);
    assert.throws(() => combineDecisions([]), RangeError);
  });
});

describe('DoH resolver choice', () => {
  it('auto takes the deployment resolver, else the first well-known one; ids and URLs as chosen', () => {
    assert.equal(
      resolverUrlFor('auto', 'https://dns.deploy.example/dns-query'),
      'https://dns.deploy.example/dns-query',
    );
    assert.equal(resolverUrlFor('auto'), WELL_KNOWN_RESOLVERS[0]!.url);
    assert.equal(resolverUrlFor('quad9', 'https://dns.deploy.example/q'), 'https://dns.quad9.net/dns-query');
    assert.equal(parseResolverChoice('https://DNS.example/q{?dns}'), 'https://dns.example/q');
    assert.equal(
      resolverUrlFor(parseResolverChoice('http://127.0.0.1:8053/dns-query')),
      'http://127.0.0.1:8053/dns-query',
    );
  });

  it('refuses an unknown id, plain http off loopback, and non-strings', () => {
    for (const bad of ['nosuch', 'http://dns.example/q', 42, null, '']) {
      assert.throws(() => parseResolverChoice(bad), MalformedError, String(bad));
    }
  });
});
