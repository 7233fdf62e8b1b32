// The device-name vectors in Node (the browser layer runs the same suite in Chromium).
import { test } from 'node:test';
import { deviceNameSuites } from '../../vectors/device-name-suite.ts';

for (const suite of deviceNameSuites) test(suite.name, suite.run);
