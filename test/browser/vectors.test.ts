// The same vector suite as test/unit/crypto/vectors.test.ts, unchanged, in real Chromium:
// every construction must reproduce byte for byte on both runtimes.
import { vectorSuites } from '../vectors/suite.ts';

describe('test vectors in Chromium', () => {
  for (const suite of vectorSuites) {
    it(suite.name, () => suite.run());
  }
});
