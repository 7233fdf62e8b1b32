// Writes test/vectors/nkey.json with nkeys.js itself (@nats-io/nkeys, which uses tweetnacl): for
// fixed seeds of each Ed25519 role, the seed text, the public nkey and nkeys.js's signature of a
// connect nonce (nats-core sends it as standard base64). core/transport/nkeys-noble.ts, which
// replaces nkeys.js in browser bundles, must reproduce every byte (test/vectors/nkey-suite.ts,
// in Node and Chromium). Deterministic:
//   node scripts/make-nkey-vectors.ts          rewrite the file
//   node scripts/make-nkey-vectors.ts --check  exit 1 if the committed file differs
import { readFileSync, writeFileSync } from 'node:fs';
import { encode, fromSeed, Prefix } from '@nats-io/nkeys';
import { Codec } from '@nats-io/nkeys/lib/codec.js';
import { toHex } from '../core/bytes.ts';

const path = new URL('../test/vectors/nkey.json', import.meta.url).pathname;
const seed = (start: number) => Uint8Array.from({ length: 32 }, (_, i) => (start + i * 7) & 0xff);
const text = new TextDecoder();

const roles = [
  ['user', Prefix.User, 0x00],
  ['user (high bytes)', Prefix.User, 0xe0],
  ['account', Prefix.Account, 0x40],
  ['operator', Prefix.Operator, 0x80],
  ['server', Prefix.Server, 0xa0],
  ['cluster', Prefix.Cluster, 0xc0],
] as const;

const vectors = roles.map(([name, prefix, start]) => {
  const raw = seed(start);
  const seedText = Codec.encodeSeed(prefix, raw);
  const kp = fromSeed(seedText);
  const nonce = `nonce-${name.replace(/\W/g, '')}_Xy9`;
  const signature = kp.sign(new TextEncoder().encode(nonce));
  return {
    name,
    prefix,
    seed: toHex(raw),
    seedText: text.decode(seedText),
    publicKey: toHex(Codec.decode(prefix, new TextEncoder().encode(kp.getPublicKey()))),
    nkey: kp.getPublicKey(),
    nonce,
    signature: toHex(signature),
    signatureBase64: encode(signature),
  };
});

const json = `${JSON.stringify({ source: 'scripts/make-nkey-vectors.ts (@nats-io/nkeys 2.0.3)', vectors }, null, 2)}\n`;
if (process.argv.includes('--check')) {
  if (readFileSync(path, 'utf8') !== json) {
    console.error('test/vectors/nkey.json differs from what nkeys.js produces');
    process.exit(1);
  }
  console.log('test/vectors/nkey.json is what nkeys.js produces');
} else {
  writeFileSync(path, json);
  console.log(`wrote ${vectors.length} nkey vectors`);
}
