/**
 * An nkeys KeyPair for signing JWTs quickly. nkeys.js re-derives the key pair with tweetnacl on
 * every getPublicKey/getPrivateKey/sign (several ms each; @nats-io/jwt calls them ~5 times per
 * JWT, about 60 device JWTs/s). This caches the public parts and signs with Node's Ed25519
 * (OpenSSL): the same RFC 8032 signatures, byte for byte.
 * @example encodeUser(name, nkey, account, claims, { signer: fastKeyPair(secrets.appSigningSeed) })
 */
import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { fromSeed, type KeyPair } from '@nats-io/nkeys';
import { Codec } from '@nats-io/nkeys/lib/codec.js';

// PKCS#8 wrapping of a raw 32-byte Ed25519 seed (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function fastKeyPair(seed: string): KeyPair {
  const encoded = new TextEncoder().encode(seed);
  const slow = fromSeed(encoded);
  const publicKey = slow.getPublicKey();
  const privateKey = slow.getPrivateKey();
  const raw = Codec.decodeSeed(encoded).buf;
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
  return {
    getPublicKey: () => publicKey,
    getPrivateKey: () => privateKey,
    getSeed: () => slow.getSeed(),
    sign: (input: Uint8Array) => new Uint8Array(cryptoSign(null, input, key)),
    verify: (input: Uint8Array, sig: Uint8Array) => slow.verify(input, sig),
    clear: () => slow.clear(),
    seal: () => {
      throw new Error('not a curve key');
    },
    open: () => {
      throw new Error('not a curve key');
    },
  };
}
