// The pairing vectors in Chromium, the same suite as in Node.
import { pairingSuites } from '../vectors/pairing-suite.ts';

describe('pairing vectors in Chromium', () => {
  for (const suite of pairingSuites) it(suite.name, () => suite.run());
});
