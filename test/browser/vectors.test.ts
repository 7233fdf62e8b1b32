// The same vector suite as test/unit/crypto/vectors.test.ts, unchanged, in real Chromium:
// every construction must reproduce byte for byte on both runtimes.
import { ed25519Backend } from '../../core/crypto/index.ts';
import { equal } from '../helpers/assert.ts';
import { vectorSuites } from '../vectors/suite.ts';

describe('test vectors in Chromium', () => {
  // Otherwise the suites below would check the noble backend alone and say nothing of BoringSSL's.
  it('Chromium has WebCrypto Ed25519 that passes its known-answer test', async () => {
    equal(await ed25519Backend(), 'webcrypto');
  });
  for (const suite of vectorSuites) {
    it(suite.name, () => suite.run());
  }
});
