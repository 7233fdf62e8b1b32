// Argon2id parameter defaults and bounds, and the choice of implementation (the bytes of each are
// checked against test/vectors/argon2id*.json by the vector suite, in Node and Chromium).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { toHex } from '../../../core/bytes.ts';
import { MalformedError, UnsupportedError } from '../../../core/errors.ts';
import { type Argon2Backend, argon2Backend } from '../../../core/store/_argon2.ts';
import { ARGON2_LIMITS, checkArgon2Params, DEFAULT_ARGON2_PARAMS } from '../../../core/store/index.ts';
import { passphraseKek } from '../../../core/store/private-passphrase-wrap.ts';

describe('Argon2id params', () => {
  it('defaults are RFC 9106 second recommendation costs (t=3, 64 MiB) with one lane', () => {
    assert.deepEqual({ ...DEFAULT_ARGON2_PARAMS }, { t: 3, mKib: 65536, p: 1 });
    assert.ok(Object.isFrozen(DEFAULT_ARGON2_PARAMS));
  });

  it('accepts sane costs and returns a clean copy', () => {
    assert.deepEqual(checkArgon2Params({ t: 1, mKib: 8, p: 1 }, 'x'), { t: 1, mKib: 8, p: 1 });
    assert.deepEqual(checkArgon2Params({ ...ARGON2_LIMITS }, 'x'), { ...ARGON2_LIMITS });
  });

  it('rejects missing, fractional, zero and oversized costs', () => {
    for (const bad of [
      null,
      {},
      { t: 0, mKib: 256, p: 1 },
      { t: 1.5, mKib: 256, p: 1 },
      { t: 1, mKib: 7, p: 1 },
      { t: 1, mKib: 16, p: 4 },
      { t: 17, mKib: 256, p: 1 },
      { t: 1, mKib: 2 * 1024 * 1024, p: 1 },
      { t: 1, mKib: 256, p: 9 },
    ]) {
      assert.throws(() => checkArgon2Params(bad, 'test'), MalformedError, JSON.stringify(bad));
    }
  });
});

describe('Argon2id implementation', () => {
  const salt = new Uint8Array(16).fill(9);
  const cheap = { t: 1, mKib: 64, p: 1 };

  it('Node runs the WebAssembly one (else the vectors would check noble alone)', async () => {
    assert.equal(await argon2Backend(), 'wasm');
  });

  it('the store KEK is the same on both, forced or by default', async () => {
    const kek = (backend?: Argon2Backend) => passphraseKek('pw', salt, cheap, { backend }).then(toHex);
    assert.equal(await kek('wasm'), await kek('noble'));
    assert.equal(await kek(), await kek('noble'));
  });

  it('refuses unchecked costs, short salts and unknown backends before any work', async () => {
    await assert.rejects(passphraseKek('pw', salt, { t: 0, mKib: 64, p: 1 }), MalformedError);
    await assert.rejects(passphraseKek('pw', salt, { t: 1, mKib: 2 * 1024 * 1024, p: 1 }), MalformedError);
    await assert.rejects(passphraseKek('pw', salt.subarray(0, 8), cheap), MalformedError);
    await assert.rejects(passphraseKek('', salt, cheap), MalformedError);
    const backend = 'argon2-browser' as Argon2Backend;
    await assert.rejects(passphraseKek('pw', salt, cheap, { backend }), UnsupportedError);
  });
});
