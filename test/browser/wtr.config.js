// @web/test-runner in Debian's Chromium. scripts/run-browser-tests.ts bundles every
// test/browser/**/*.test.ts with esbuild into .cache/browser-tests first (the same code paths a
// site's bundle takes), then points this config at the bundles.
import { playwrightLauncher } from '@web/test-runner-playwright';

const chromium = process.env.ROOMKEY_CHROMIUM ?? '/usr/bin/chromium';

export default {
  files: '.cache/browser-tests/**/*.test.js',
  nodeResolve: false,
  hostname: '127.0.0.1',
  concurrency: 1,
  concurrentBrowsers: 1,
  testFramework: { config: { timeout: 120000 } },
  testsFinishTimeout: 15 * 60 * 1000,
  browserStartTimeout: 60000,
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: chromium,
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      },
    }),
  ],
};
