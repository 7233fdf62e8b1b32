import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createUserKeys, parseSafetyNumber, safetyNumber } from '../../../core/crypto/index.ts';
import { MalformedError } from '../../../core/errors.ts';

async function person(userId: string) {
  const keys = await createUserKeys();
  return { userId, signingKey: keys.signingPublicKey, hpkeKey: keys.hpkePublicKey };
}

test('safety number: 60 digits in 12 groups, the same from both sides', async () => {
  const [a, b] = [await person('a'), await person('b')];
  const n = safetyNumber(a, b);
  assert.match(n.digits, /^\d{60}$/);
  assert.equal(n.groups.length, 12);
  assert.equal(n.groups.join(''), n.digits);
  assert.deepEqual(safetyNumber(b, a), n);
});

test('safety number: changes when either identity key changes, HPKE key included', async () => {
  const [a, b] = [await person('a'), await person('b')];
  const before = safetyNumber(a, b).digits;
  const other = await person('b');
  assert.notEqual(safetyNumber(a, { ...b, signingKey: other.signingKey }).digits, before);
  assert.notEqual(safetyNumber(a, { ...b, hpkeKey: other.hpkeKey }).digits, before);
  // The user id is bound too: the same keys under another id give another half.
  assert.notEqual(safetyNumber(a, { ...b, userId: 'c' }).digits, before);
});

test('parseSafetyNumber: QR text, spaced digits; anything else is a MalformedError that says what was expected', async () => {
  const n = safetyNumber(await person('a'), await person('b'));
  assert.equal(parseSafetyNumber(n.qrText), n.digits);
  assert.equal(parseSafetyNumber(` ${n.groups.join(' ')}\n`), n.digits);
  for (const bad of [
    '',
    'roomkey-safety:v1:123',
    `${n.digits}0`,
    n.digits.replace('1', 'x'),
    'https://example.com',
  ]) {
    assert.throws(
      () => parseSafetyNumber(bad),
      (e: Error) => e instanceof MalformedError && /60 digits/.test(e.message),
    );
  }
  assert.throws(() => parseSafetyNumber(42 as unknown as string), MalformedError);
  assert.throws(
    () =>
      safetyNumber({ userId: 'a', signingKey: new Uint8Array(31), hpkeKey: new Uint8Array(32) }, n as never),
    MalformedError,
  );
});
