// What must never reach a browser bundle (issue 19), checked on the bundles `npm run build` makes
// (same entries, aliases and stand-ins; not minified, so the generated messages keep their names):
// the gateway's KV records, nkeys.js and tweetnacl (a second Ed25519), Long.js, and the parts of
// nats.js that stand-ins replace. A size row can drift unnoticed; these cannot.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import {
  BROWSER_ALIASES,
  BROWSER_STAND_INS,
  SW_STAND_INS,
  standInPlugin,
} from '../../../scripts/browser-aliases.ts';

const root = new URL('../../../', import.meta.url).pathname;

/** Messages only the gateway encodes or decodes: records it keeps in KV and its own bookkeeping. */
const GATEWAY_RECORDS = [
  'CredentialRecord',
  'UserRecord',
  'DeviceRecord',
  'RateLimitRecord',
  'RevocationRecord',
  'LoginHandle',
  'EnrollToken',
  'RoomRecord',
  'RoomMember',
  'RoomEpochKey',
  'UserRooms',
  'LegacyRoomMigration',
  'LegacySeqRun',
  'PresenceRecord',
];

const FORBIDDEN_INPUTS =
  /node_modules\/(tweetnacl|long|@nats-io\/nkeys)\/|@nats-io\/nats-core\/lib\/bench\.js|@nats-io\/jetstream\/lib\/pushconsumer\.js|@hpke\/chacha20poly1305\//;

async function bundle(entry: string, format: 'esm' | 'iife', standIns: Record<string, string>) {
  const result = await build({
    entryPoints: [`${root}${entry}`],
    outdir: `${root}.cache/test-browser-bundles`,
    bundle: true,
    splitting: format === 'esm',
    format,
    platform: 'browser',
    target: 'es2022',
    alias: BROWSER_ALIASES,
    plugins: [standInPlugin(standIns)],
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const text = result.outputFiles.map((f) => f.text).join('\n');
  return { text, inputs: Object.keys((result.metafile as Metafile).inputs) };
}

for (const [name, entry, format, standIns] of [
  ['the one-script-tag bundle and its chunks', 'components/script-tag.ts', 'esm', BROWSER_STAND_INS],
  ['sw.js', 'sw/sw.ts', 'iife', SW_STAND_INS],
] as const) {
  test(`${name}: no gateway record, nkeys.js, tweetnacl, Long.js or replaced nats.js part`, async () => {
    const { text, inputs } = await bundle(entry, format, standIns);
    assert.ok(text.includes('$v1_Envelope'), 'the bundle names generated messages as expected');
    const records = GATEWAY_RECORDS.filter((record) => text.includes(`$v1_${record} =`));
    assert.deepEqual(records, [], 'gateway records in a browser bundle');
    assert.deepEqual(
      inputs.filter((input) => FORBIDDEN_INPUTS.test(input)),
      [],
      'inputs that must stay out of browser bundles',
    );
  });
}

test('sw.js: no Argon2id (the worker unlocks with the device key only)', async () => {
  const { inputs } = await bundle('sw/sw.ts', 'iife', SW_STAND_INS);
  assert.deepEqual(
    inputs.filter((input) => /hash-wasm|@noble\/hashes\/argon2|core\/store\/_argon2/.test(input)),
    [],
  );
});
