// Packages that browser bundles take from elsewhere (esbuild `alias` in build.ts and the bundle
// bench; Vite `resolve.alias` in wxt.config.ts). Node (gateway, tests) keeps the real packages.
//  - @nats-io/nkeys: nats-core (CommonJS, so nothing of it is tree-shaken) requires it for its seed
//    authenticators, and it brings tweetnacl (33 KiB, a second Ed25519). core/transport/nkeys-noble.ts
//    has the two functions nats-core calls, on @noble/curves, with the same bytes (test/vectors/nkey.json).
//  - long: protobufjs ships Long.js when a bundler resolves its `require('long')`; proto/numbers.ts
//    pins 64-bit fields to numbers anyway (proto/long-absent.ts).
import { existsSync, realpathSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Plugin } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

/** Package name → absolute path of the file a browser bundle uses instead. */
export const BROWSER_ALIASES: Record<string, string> = {
  '@nats-io/nkeys': join(root, 'core', 'transport', 'nkeys-noble.ts'),
  long: join(root, 'proto', 'long-absent.ts'),
};

/** The real path of a file (node_modules may be a symlink; esbuild resolves real paths). */
const real = (path: string) => (existsSync(path) ? realpathSync(path) : path);

/**
 * Files that every browser bundle takes from elsewhere (absolute path → stand-in): parts of nats.js,
 * which is CommonJS, so esbuild keeps every file its index requires whether used or not.
 *  - nats-core's Bench (a throughput benchmark no client runs),
 *  - jetstream's push consumers (RoomKey reads through the gateway's pull consumers).
 */
export const BROWSER_STAND_INS: Record<string, string> = {
  [real(join(root, 'node_modules', '@nats-io', 'nats-core', 'lib', 'bench.js'))]: join(
    root,
    'core',
    'transport',
    'nats-bench-absent.ts',
  ),
  [real(join(root, 'node_modules', '@nats-io', 'jetstream', 'lib', 'pushconsumer.js'))]: join(
    root,
    'core',
    'transport',
    'nats-push-consumer-absent.ts',
  ),
};

/**
 * Files of the repository that dist/sw.js also takes from elsewhere (absolute path → stand-in).
 *  - core/store/_argon2.ts: the worker never derives a passphrase key, and cannot `import()` the
 *    WebAssembly Argon2id on demand, so esbuild inlined hash-wasm and noble's Argon2id (sw/argon2-absent.ts).
 */
export const SW_STAND_INS: Record<string, string> = {
  ...BROWSER_STAND_INS,
  [join(root, 'core', 'store', '_argon2.ts')]: join(root, 'sw', 'argon2-absent.ts'),
};

/**
 * An esbuild plugin that resolves each file of `standIns` to its stand-in (an import may leave
 * out the `.js` extension, as CommonJS requires do).
 * @example build({ entryPoints: ['sw/sw.ts'], plugins: [standInPlugin(SW_STAND_INS)] })
 */
export function standInPlugin(standIns: Record<string, string>): Plugin {
  const names = [...new Set(Object.keys(standIns).map((path) => basename(path).replace(/\.[jt]s$/, '')))];
  const filter = new RegExp(`(^|/)(${names.join('|')})(\\.[jt]s)?$`);
  return {
    name: 'roomkey-stand-ins',
    setup(build) {
      build.onResolve({ filter }, (args) => {
        const path = resolve(args.resolveDir, args.path);
        const target = standIns[path] ?? standIns[`${path}.js`];
        return target ? { path: target } : undefined;
      });
    },
  };
}
