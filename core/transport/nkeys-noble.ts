/**
 * Stands in for `@nats-io/nkeys` in browser bundles (the esbuild and Vite alias in
 * scripts/browser-aliases.ts). nats-core is CommonJS, so a bundler cannot drop its authenticators'
 * `require('@nats-io/nkeys')`, and nkeys.js brings tweetnacl: 33 KiB of a second Ed25519 beside
 * noble. nats-core calls only `fromSeed` and `encode` (nkeyAuthenticator, jwtAuthenticator and
 * credsAuthenticator with a seed); both are here on @noble/curves, with nkeys.js's bytes
 * (test/vectors/nkey.json, checked in Node and Chromium). RoomKey's own device authenticator
 * (device-authenticator.ts) signs without a seed text at all.
 * @example const kp = fromSeed(utf8('SUA…')); encode(kp.sign(utf8(nonce)))
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromUtf8 } from '../bytes.ts';
import { MalformedError } from '../errors.ts';
import { decodeSeed, encodeNkey, encodeSeed } from './nkey-codec.ts';

/** The part of nkeys.js's KeyPair that nats-core uses, plus what a caller may reasonably read. */
export interface NobleKeyPair {
  getPublicKey(): string;
  getSeed(): Uint8Array;
  sign(data: Uint8Array): Uint8Array;
  verify(data: Uint8Array, signature: Uint8Array): boolean;
  clear(): void;
}

/**
 * The key pair of nkey seed text (as bytes, as nats-core passes it); Ed25519 roles only.
 * @example fromSeed(new TextEncoder().encode('SUA…')).getPublicKey() // 'UA…'
 */
export function fromSeed(src: Uint8Array): NobleKeyPair {
  const { role, seed } = decodeSeed(fromUtf8(src, 'nkey seed'));
  let secret: Uint8Array | null = seed;
  const live = (): Uint8Array => {
    if (!secret) throw new MalformedError('nkey: this key pair was cleared');
    return secret;
  };
  const publicKey = ed25519.getPublicKey(seed);
  return {
    getPublicKey: () => encodeNkey(role, publicKey),
    getSeed: () => new TextEncoder().encode(encodeSeed(role, live())),
    sign: (data) => ed25519.sign(data, live()),
    verify: (data, signature) => ed25519.verify(signature, data, publicKey),
    clear: () => {
      secret?.fill(0);
      secret = null;
    },
  };
}

/**
 * Standard base64 with padding, as nkeys.js's `encode` (the signature format nats-core sends).
 * @example encode(new Uint8Array([1, 2, 3])) // 'AQID'
 */
export function encode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The bytes of standard base64 text, as nkeys.js's `decode`.
 * @example decode('AQID') // Uint8Array [1, 2, 3]
 */
export function decode(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
