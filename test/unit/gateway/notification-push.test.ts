// The push path's pure pieces: the order devices are tried in, which rooms still deserve a push
// after read markers, Retry-After, the sentinel's fixed size, the VAPID key derivation, and which
// push endpoints the gateway will call.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromBase64Url } from '../../../core/bytes.ts';
import { MalformedError } from '../../../core/errors.ts';
import { pushOrder, unreadRooms } from '../../../gateway/notification-route.ts';
import { vapidKeys } from '../../../gateway/vapid-keys.ts';
import { checkPushEndpoint } from '../../../gateway/web-push-endpoint.ts';
import { parseRetryAfter, sentinelBytes } from '../../../gateway/web-push-sender.ts';
import { v1 } from '../../../proto/index.ts';

describe('pushOrder', () => {
  it('tries the device seen most recently first, skips tried ones, breaks ties by nkey', () => {
    const candidates = [
      { nkey: 'UA', lastSeenMs: 5 },
      { nkey: 'UC', lastSeenMs: 9 },
      { nkey: 'UB', lastSeenMs: 9 },
      { nkey: 'UD', lastSeenMs: 0 },
    ];
    assert.deepEqual(pushOrder(candidates, new Set()), ['UB', 'UC', 'UA', 'UD']);
    assert.deepEqual(pushOrder(candidates, new Set(['UB', 'UA'])), ['UC', 'UD']);
    assert.deepEqual(pushOrder([], new Set()), []);
  });
});

describe('unreadRooms', () => {
  it('keeps rooms whose newest routed message is above the marker', () => {
    const rooms = new Map([
      ['r1', 7],
      ['r2', 3],
      ['r3', Number.POSITIVE_INFINITY],
      ['r4', 1],
    ]);
    const markers = new Map([
      ['r1', 7],
      ['r2', 2],
      ['r3', 1_000_000],
    ]);
    assert.deepEqual([...unreadRooms(rooms, markers).keys()], ['r2', 'r3', 'r4']);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('3', now), 3000);
    assert.equal(parseRetryAfter(' 0 ', now), 0);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now), 10_000);
    assert.equal(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now), 0, 'a past date: now');
    assert.equal(parseRetryAfter(null, now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-5', now), undefined);
  });
});

describe('sentinelBytes', () => {
  it('is 4 bytes for every kind, and only version and kind', () => {
    const wake = sentinelBytes(v1.PushSentinelKind.PUSH_SENTINEL_KIND_WAKE);
    const sync = sentinelBytes(v1.PushSentinelKind.PUSH_SENTINEL_KIND_SYNC_READ);
    assert.deepEqual([...wake], [8, 1, 16, 1]);
    assert.deepEqual([...sync], [8, 1, 16, 2]);
  });
});

describe('vapidKeys', () => {
  it('derives one stable P-256 pair per server secret', () => {
    const one = vapidKeys(new Uint8Array(32).fill(1));
    assert.deepEqual(vapidKeys(new Uint8Array(32).fill(1)), one);
    assert.notEqual(vapidKeys(new Uint8Array(32).fill(2)).publicKey, one.publicKey);
    assert.equal(fromBase64Url(one.publicKey).length, 65);
    assert.equal(fromBase64Url(one.publicKey)[0], 4);
    assert.equal(fromBase64Url(one.privateKey).length, 32);
    assert.throws(() => vapidKeys(new Uint8Array(16)), /32 bytes/);
  });
});

describe('checkPushEndpoint', () => {
  it('takes https, and http only where allowed; refuses credentials, other schemes, junk', () => {
    assert.equal(checkPushEndpoint('https://push.example/x', { allowHttp: false }), 'https://push.example/x');
    assert.equal(checkPushEndpoint('http://127.0.0.1:1/p', { allowHttp: true }), 'http://127.0.0.1:1/p');
    for (const bad of ['http://127.0.0.1:1/p', 'ftp://x/y', 'https://u:p@push.example/x', 'nope', '', 7])
      assert.throws(() => checkPushEndpoint(bad, { allowHttp: false }), MalformedError, String(bad));
    assert.throws(
      () => checkPushEndpoint(`https://a.example/${'x'.repeat(1100)}`, { allowHttp: false }),
      MalformedError,
    );
  });
});
