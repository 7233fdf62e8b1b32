import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toHex, utf8 } from '../../../core/bytes.ts';
import { sha256 } from '../../../core/crypto/index.ts';
import { MalformedError } from '../../../core/errors.ts';

test('sha256 matches FIPS 180-2 "abc" and the empty string', () => {
  assert.equal(
    toHex(sha256(utf8('abc'))),
    'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  );
  assert.equal(
    toHex(sha256(new Uint8Array(0))),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  );
  assert.throws(() => sha256('abc' as never), MalformedError);
});
