// The safety-number vectors in Node (the browser layer runs the same suite in Chromium).
import { test } from 'node:test';
import { safetyNumberSuites } from '../../vectors/safety-number-suite.ts';

for (const suite of safetyNumberSuites) test(suite.name, suite.run);
