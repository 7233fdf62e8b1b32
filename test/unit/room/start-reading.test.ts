// Room.startReading: a page's signatures verified and its envelopes opened elsewhere (core/client's
// worker pool) gives receiveMany's verdicts unchanged. What was opened ahead is used only after every
// check passed: a forgery is refused as a forgery even when its plaintext was opened; what the opener
// did not open, or a page whose opener failed, is decrypted in-thread.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { aeadOpen } from '../../../core/crypto/aead.ts';
import { type VerifyItem, verifyBatch } from '../../../core/crypto/sign.ts';
import { BadSignatureError, MalformedError, RoomKeyError } from '../../../core/errors.ts';
import { type BatchOpener, parseReceived, type Room } from '../../../core/room/index.ts';
import { roomFixture } from './_room-fixtures.ts';

const now = 1_764_000_000_000;

type Result = Awaited<ReturnType<Room['receiveMany']>>[number];
const summary = (r: Result) =>
  r instanceof RoomKeyError ? r.constructor.name : `${r.status}:${r.status === 'ok' ? r.message.text : ''}`;

describe('Room.startReading (verify and open ahead)', () => {
  let room: Room;
  beforeEach(async () => {
    ({ room } = await roomFixture(['alice'], now));
  });

  async function page() {
    const envelopes = [];
    for (let i = 0; i < 6; i++) envelopes.push((await room.encrypt(`m${i}`, { nowMs: now })).envelope);
    const forged = envelopes[2]!.slice();
    forged[forged.length - 1]! ^= 1; // its signature's last byte: the ciphertext still opens
    envelopes[2] = forged;
    envelopes[4] = new Uint8Array([9, 9]);
    return envelopes.map((bytes, i) => parseReceived({ bytes, storedAtMs: now + i, seq: i + 1 }));
  }

  it('gives receiveMany verdicts and texts, a forged envelope refused though it was opened', async () => {
    const envelopes = await page();
    const expected = (await room.receiveMany(envelopes, { reread: true })).map(summary);
    assert.deepEqual(expected, ['ok:m0', 'ok:m1', 'BadSignatureError', 'ok:m3', 'MalformedError', 'ok:m5']);
    const asked = { verify: 0, open: 0 };
    const verifier = (items: readonly VerifyItem[]) => {
      asked.verify += items.length;
      return verifyBatch(items);
    };
    const opener: BatchOpener = async (items) => {
      asked.open += items.length;
      return items.map((i) => aeadOpen(i.key, i.nonce, i.ciphertext, i.aad));
    };
    const batch = room.startReading(envelopes, { verifier, opener });
    assert.deepEqual(asked, { verify: 5, open: 5 }, 'started at once, for every envelope that parsed');
    const results = await room.receiveMany(batch, { reread: true });
    assert.deepEqual(results.map(summary), expected);
    assert.ok(results[2] instanceof BadSignatureError);
    assert.ok(results[4] instanceof MalformedError);
  });

  it('decrypts in-thread what the opener did not open, or all of it when the opener fails', async () => {
    const envelopes = await page();
    const expected = (await room.receiveMany(envelopes, { reread: true })).map(summary);
    const none: BatchOpener = async (items) => items.map(() => undefined);
    const unopened = await room.receiveMany(room.startReading(envelopes, { opener: none }), { reread: true });
    assert.deepEqual(unopened.map(summary), expected);
    const broken: BatchOpener = async () => {
      throw new Error('worker gone');
    };
    const fallback = await room.receiveMany(room.startReading(envelopes, { opener: broken }), {
      reread: true,
    });
    assert.deepEqual(fallback.map(summary), expected);
  });
});
