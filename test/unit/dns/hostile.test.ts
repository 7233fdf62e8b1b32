// core/dns against a resolver that lies or fails, over real HTTP to the local DoH server: every
// hostile answer is a typed error that says what to do, none is cached, and a good answer after
// it is used. Failures (HTTP errors, SERVFAIL, stalls, redirects) are UnavailableError.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { DohResolver, MAX_CNAME_CHAIN } from '../../../core/dns/index.ts';
import { MalformedError, type RoomKeyError, TooLargeError, UnavailableError } from '../../../core/errors.ts';
import {
  type DohBehaviour,
  type DohLie,
  startDohServer,
  type TestDohServer,
} from '../../helpers/doh-server.ts';

const ZONE = {
  records: [
    { name: 'gw.test', type: 'A' as const, data: '192.0.2.10' },
    { name: 'gw.test', type: 'AAAA' as const, data: '2001:db8::10' },
  ],
  soa: { zone: 'test', ttl: 300, minimum: 60 },
};

let server: TestDohServer;
before(async () => {
  server = await startDohServer({ zone: ZONE });
});
after(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.behave({ mode: 'answer' });
});

type ErrorClass = new (...args: never[]) => RoomKeyError;

/** Resolves under `behaviour` and expects `type` with a message matching `words`. */
async function refused(
  behaviour: DohBehaviour,
  type: ErrorClass,
  words: RegExp,
  options: {
    method?: 'GET' | 'POST';
    timeoutMs?: number;
    maxResponseBytes?: number;
    record?: 'A' | 'AAAA';
  } = {},
) {
  server.behave(behaviour);
  const resolver = new DohResolver({ url: server.url, ...options });
  await assert.rejects(resolver.resolve('gw.test', options.record ?? 'A'), (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error).name}: ${(e as Error).message}`);
    assert.match(e.message, words);
    assert.match(e.message, /resolver/, 'the message says what to do about the resolver');
    return true;
  });
  return resolver;
}

const LIES: Array<[DohLie, ErrorClass, RegExp]> = [
  ['truncated', MalformedError, /cut off|runs past the end/],
  ['wrong-id', MalformedError, /id 4660/],
  ['wrong-name', MalformedError, /evil\.test/],
  ['wrong-type', MalformedError, /not A gw\.test/],
  ['foreign-record', MalformedError, /evil\.test, which was not asked/],
  ['cname-loop', MalformedError, /CNAME loop/],
  ['long-chain', MalformedError, new RegExp(`longer than ${MAX_CNAME_CHAIN}`)],
  ['oversized', TooLargeError, /larger than 65535 bytes/],
  ['endless', TooLargeError, /larger than 65535 bytes/],
  ['tc-flag', MalformedError, /truncated/],
  ['query-echo', MalformedError, /a query, not a response/],
  ['content-type', MalformedError, /"text\/html", not application\/dns-message/],
  ['bad-rdlength', MalformedError, /A record holds 5 bytes/],
  ['pointer-loop', MalformedError, /pointer/],
  ['dotted-label', MalformedError, /not a host name character/],
  ['trailing-bytes', MalformedError, /4 bytes follow the last record/],
  ['nxdomain-with-answer', MalformedError, /does not exist and gives its addresses/],
];

describe('DohResolver against hostile answers', () => {
  for (const [lie, type, words] of LIES) {
    it(`refuses ${lie} (${type.name}) and caches nothing`, async () => {
      const resolver = await refused({ mode: 'lie', lie }, type, words);
      server.behave({ mode: 'answer' });
      assert.deepEqual((await resolver.resolve('gw.test', 'A')).addresses, ['192.0.2.10']);
      assert.equal(server.requests.length, 2, 'the lie was not cached: the resolver asked again');
    });
  }

  it('refuses the same lies over POST', async () => {
    for (const lie of ['truncated', 'cname-loop', 'oversized'] as const) {
      const [, type, words] = LIES.find(([name]) => name === lie)!;
      await refused({ mode: 'lie', lie }, type, words, { method: 'POST' });
    }
  });

  it('allows exactly MAX_CNAME_CHAIN links', async () => {
    const names = ['gw.test', ...Array.from({ length: MAX_CNAME_CHAIN }, (_, i) => `c${i}.test`)];
    const chained = await startDohServer({
      zone: {
        records: [
          ...names.slice(1).map((data, i) => ({ name: names[i]!, type: 'CNAME' as const, data })),
          { name: names[names.length - 1]!, type: 'A' as const, data: '192.0.2.99' },
        ],
      },
    });
    try {
      const resolver = new DohResolver({ url: chained.url });
      assert.deepEqual((await resolver.resolve('gw.test', 'A')).addresses, ['192.0.2.99']);
    } finally {
      await chained.close();
    }
  });

  it('caps the answer size as configured', async () => {
    await refused({ mode: 'answer' }, TooLargeError, /larger than 40 bytes/, { maxResponseBytes: 40 });
  });
});

describe('DohResolver when the resolver fails', () => {
  it('HTTP errors are UnavailableError naming the status', async () => {
    await refused({ mode: 'http-error', status: 500 }, UnavailableError, /HTTP 500/);
    await refused({ mode: 'http-error', status: 415 }, UnavailableError, /HTTP 415.*DNS-over-HTTPS endpoint/);
  });

  it('SERVFAIL and REFUSED are UnavailableError and are not cached', async () => {
    const resolver = await refused({ mode: 'rcode', rcode: 'SERVFAIL' }, UnavailableError, /SERVFAIL/);
    await refused({ mode: 'rcode', rcode: 'REFUSED' }, UnavailableError, /REFUSED/);
    server.behave({ mode: 'answer' });
    assert.deepEqual((await resolver.resolve('gw.test', 'A')).addresses, ['192.0.2.10']);
  });

  it('a resolver that never answers, or never sends the body, times out', async () => {
    const started = Date.now();
    await refused({ mode: 'stall' }, UnavailableError, /did not answer within 0\.3 s/, { timeoutMs: 300 });
    await refused({ mode: 'slow-body' }, UnavailableError, /did not answer within 0\.3 s/, {
      timeoutMs: 300,
    });
    assert.ok(Date.now() - started < 5_000, 'bounded by the timeout');
  });

  it('a redirect is not followed', async () => {
    await refused(
      { mode: 'redirect', location: 'http://127.0.0.1:1/dns-query' },
      UnavailableError,
      /redirected/,
    );
    assert.equal(server.requests.length, 1);
  });

  it('a closed port is UnavailableError', async () => {
    const closed = await startDohServer();
    const url = closed.url;
    await closed.close();
    await assert.rejects(new DohResolver({ url }).resolve('gw.test', 'A'), UnavailableError);
  });

  it("a caller's abort rejects that caller with its reason and leaves the request to others", async () => {
    server.behave({ mode: 'stall' });
    const resolver = new DohResolver({ url: server.url, timeoutMs: 500 });
    const controller = new AbortController();
    const first = resolver.resolve('gw.test', 'A', { signal: controller.signal });
    const second = resolver.resolve('gw.test', 'A');
    controller.abort(new Error('the user went away'));
    await assert.rejects(first, /the user went away/);
    await assert.rejects(second, UnavailableError, 'the shared request ran on to its own timeout');
    assert.equal(server.requests.length, 1);
  });
});
