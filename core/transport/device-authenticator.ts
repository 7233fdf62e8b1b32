/**
 * NATS authenticator for a device: presents the gateway-issued user JWT and signs the server's
 * connect nonce with the device's Ed25519 key.
 * The device key also signs RoomKey objects, so a malicious server could send a "nonce" that is
 * really a RoomKey message and get it signed. Every RoomKey signature starts with a label such as
 * "roomkey/v1/envelope" and a 0x00 byte; a real NATS nonce is short base64url text. Refusing any
 * other nonce makes the two kinds of signature disjoint.
 * @example connect({ authenticator: deviceAuthenticator(() => session.userJwt, deviceSecretKey) })
 */
import type { Authenticator, JwtAuth } from '@nats-io/nats-core';
import { ed25519 } from '@noble/curves/ed25519.js';
import { toBase64Url, utf8 } from '../bytes.ts';
import { ForbiddenError, MalformedError } from '../errors.ts';
import { userNkey } from './nkey.ts';

/** nats-server nonces are base64url of 11 random bytes; allow some headroom, nothing else. */
const NONCE_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export function deviceAuthenticator(jwt: () => string, deviceSecretKey: Uint8Array): Authenticator {
  if (!(deviceSecretKey instanceof Uint8Array) || deviceSecretKey.length !== 32) {
    throw new MalformedError('device secret key: expected 32 bytes');
  }
  const secret = deviceSecretKey.slice();
  const nkey = userNkey(ed25519.getPublicKey(secret));
  return (nonce?: string): JwtAuth => {
    if (typeof nonce !== 'string' || !NONCE_PATTERN.test(nonce)) {
      throw new ForbiddenError(
        'The NATS server sent a connect nonce that is not a plain nonce: refusing to sign it with the device key (is this the right server?).',
      );
    }
    const sig = toBase64Url(ed25519.sign(utf8(nonce), secret));
    return { jwt: jwt(), nkey, sig };
  };
}
