// The nkey vectors in Chromium (nkeys-noble and nkey-codec, which browser bundles use instead of
// nkeys.js), the same suite as in Node.
import { nkeySuites } from '../vectors/nkey-suite.ts';

describe('nkey vectors in Chromium', () => {
  for (const suite of nkeySuites) it(suite.name, () => suite.run());
});
