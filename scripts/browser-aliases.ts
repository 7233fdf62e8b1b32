// Packages that browser bundles take from elsewhere (esbuild `alias` in build.ts and the bundle
// bench; Vite `resolve.alias` in wxt.config.ts). Node (gateway, tests) keeps the real packages.
//  - @nats-io/nkeys: nats-core (CommonJS, so nothing of it is tree-shaken) requires it for its seed
//    authenticators, and it brings tweetnacl (33 KiB, a second Ed25519). core/transport/nkeys-noble.ts
//    has the two functions nats-core calls, on @noble/curves, with the same bytes (test/vectors/nkey.json).
//  - long: protobufjs ships Long.js when a bundler resolves its `require('long')`; proto/numbers.ts
//    pins 64-bit fields to numbers anyway (proto/long-absent.ts).
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** Package name → absolute path of the file a browser bundle uses instead. */
export const BROWSER_ALIASES: Record<string, string> = {
  '@nats-io/nkeys': join(root, 'core', 'transport', 'nkeys-noble.ts'),
  long: join(root, 'proto', 'long-absent.ts'),
};
