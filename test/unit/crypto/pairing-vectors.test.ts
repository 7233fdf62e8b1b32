// The pairing vectors in Node (the browser layer runs the same suite in Chromium).
import { test } from 'node:test';
import { pairingSuites } from '../../vectors/pairing-suite.ts';

for (const suite of pairingSuites) test(suite.name, suite.run);
