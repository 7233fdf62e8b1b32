// The vector suites (vectors.test.ts) check every backend present; these make sure the fast ones are
// present in Chromium, so the suites prove WebCrypto X25519's and WebAssembly Argon2id's bytes and
// not noble's alone.
import { hpkeBackend } from '../../core/crypto/hpke.ts';
import { argon2Backend } from '../../core/store/_argon2.ts';
import { equal } from '../helpers/assert.ts';

describe('fast backends in Chromium', () => {
  it('WebCrypto X25519 passes its known-answer test (Chromium >= 133)', async () => {
    equal(await hpkeBackend(), 'webcrypto');
  });
  it('Argon2id in WebAssembly loads and passes its known-answer test', async () => {
    equal(await argon2Backend(), 'wasm');
  });
});
