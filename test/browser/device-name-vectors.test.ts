// The device-name vectors in Chromium, the same suite as in Node.
import { deviceNameSuites } from '../vectors/device-name-suite.ts';

describe('device-name vectors in Chromium', () => {
  for (const suite of deviceNameSuites) it(suite.name, () => suite.run());
});
