// Runs every runtime-agnostic vector suite (test/vectors/suite.ts) under node:test; the browser
// layer runs the same suites in Chromium.
import { test } from 'node:test';
import { vectorSuites } from '../../vectors/suite.ts';

for (const suite of vectorSuites) test(`vectors: ${suite.name}`, suite.run);
