// The nkey vectors (nkey.json, made by nkeys.js itself: scripts/make-nkey-vectors.ts), recomputed
// unchanged in Node (test/unit/transport/nkey-vectors.test.ts) and Chromium
// (test/browser/nkey-vectors.test.ts) by what browser bundles use instead of nkeys.js:
// core/transport/nkeys-noble.ts (@noble/curves) and nkey-codec.ts.
import type { JwtAuth } from '@nats-io/nats-core';
import { fromHex, toBase64Url, toHex, utf8 } from '../../core/bytes.ts';
import { MalformedError } from '../../core/errors.ts';
import { deviceAuthenticator, publicKeyOfUserNkey, userNkey } from '../../core/transport/index.ts';
import { decodeNkey, decodeSeed, encodeNkey, encodeSeed } from '../../core/transport/nkey-codec.ts';
import { decode, encode, fromSeed } from '../../core/transport/nkeys-noble.ts';
import { AssertionError, bytesEqual, equal } from '../helpers/assert.ts';
import vectors from './nkey.json' with { type: 'json' };

function throwsMalformed(run: () => unknown, what: string): void {
  try {
    run();
  } catch (error) {
    if (error instanceof MalformedError) return;
    throw new AssertionError(`${what}: expected a MalformedError, got ${String(error)}`);
  }
  throw new AssertionError(`${what}: expected a MalformedError, nothing was thrown`);
}

/** Each check as { name, run }, for node:test and mocha alike. */
export const nkeySuites = [
  {
    name: 'nkey: seed text and public nkey of each role, as nkeys.js writes them',
    run() {
      for (const v of vectors.vectors) {
        equal(encodeSeed(v.prefix, fromHex(v.seed)), v.seedText, `${v.name}: seed text`);
        const seed = decodeSeed(v.seedText);
        equal(seed.role, v.prefix, `${v.name}: seed role`);
        bytesEqual(seed.seed, v.seed, `${v.name}: seed bytes`);
        equal(encodeNkey(v.prefix, fromHex(v.publicKey)), v.nkey, `${v.name}: nkey`);
        bytesEqual(decodeNkey(v.prefix, v.nkey), v.publicKey, `${v.name}: nkey decoded`);
      }
    },
  },
  {
    name: "nkey: nats-core's fromSeed and encode (nkeys-noble) sign the nonce as nkeys.js does",
    run() {
      for (const v of vectors.vectors) {
        const kp = fromSeed(utf8(v.seedText));
        equal(kp.getPublicKey(), v.nkey, `${v.name}: public key`);
        const signature = kp.sign(utf8(v.nonce));
        bytesEqual(signature, v.signature, `${v.name}: signature`);
        equal(encode(signature), v.signatureBase64, `${v.name}: base64 signature`);
        bytesEqual(decode(v.signatureBase64), v.signature, `${v.name}: base64 decoded`);
        equal(kp.verify(utf8(v.nonce), signature), true, `${v.name}: verifies`);
        equal(new TextDecoder().decode(kp.getSeed()), v.seedText, `${v.name}: seed back`);
      }
    },
  },
  {
    name: "nkey: a device's user nkey and its connect signature",
    run() {
      for (const v of vectors.vectors.filter((x) => x.seedText.startsWith('SU'))) {
        equal(userNkey(fromHex(v.publicKey)), v.nkey, `${v.name}: userNkey`);
        bytesEqual(publicKeyOfUserNkey(v.nkey), v.publicKey, `${v.name}: publicKeyOfUserNkey`);
        const auth = deviceAuthenticator(() => 'jwt', fromHex(v.seed))(v.nonce) as JwtAuth;
        equal(auth.nkey, v.nkey, `${v.name}: authenticator nkey`);
        equal(auth.sig, toBase64Url(fromHex(v.signature)), `${v.name}: authenticator signature`);
      }
    },
  },
  {
    name: 'nkey: a wrong checksum, role or alphabet is a MalformedError',
    run() {
      const user = vectors.vectors[0]!;
      const last = user.nkey.at(-1) === 'A' ? 'B' : 'A';
      throwsMalformed(() => publicKeyOfUserNkey(user.nkey.slice(0, -1) + last), 'checksum');
      throwsMalformed(() => decodeNkey(0, user.nkey), 'role');
      throwsMalformed(() => decodeNkey(user.prefix, `${user.nkey.slice(0, -1)}1`), 'alphabet');
      throwsMalformed(() => fromSeed(utf8(user.nkey)), 'a public key is no seed');
      throwsMalformed(() => encodeNkey(0x55, new Uint8Array(32)), 'unknown role');
      equal(toHex(decodeNkey(user.prefix, user.nkey)), user.publicKey);
    },
  },
];
