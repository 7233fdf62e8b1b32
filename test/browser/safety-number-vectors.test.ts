// The safety-number vectors in Chromium, the same suite as in Node.
import { safetyNumberSuites } from '../vectors/safety-number-suite.ts';

describe('safety-number vectors in Chromium', () => {
  for (const suite of safetyNumberSuites) it(suite.name, () => suite.run());
});
