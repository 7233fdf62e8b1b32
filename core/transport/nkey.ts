/**
 * NATS nkey text form of an Ed25519 public key: the device key IS the device's NATS user nkey, so
 * the gateway names it in a user JWT and the server checks the connection signs with it.
 * Format (nkeys.js, reimplemented in nkey-codec.ts): base32(prefix byte || 32-byte key ||
 * crc16-xmodem little-endian), no padding.
 * @example userNkey(devicePublicKey) // 'UAB…' (56 characters)
 */
import { MalformedError } from '../errors.ts';
import { decodeNkey, encodeNkey, NKEY_PREFIX } from './nkey-codec.ts';

/** Length of a user nkey: 35 bytes (prefix, key, checksum) in unpadded base32. */
const USER_NKEY_LENGTH = 56;

export function userNkey(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new MalformedError('device key: expected 32 bytes');
  }
  return encodeNkey(NKEY_PREFIX.user, publicKey);
}

/** The 32-byte public key inside a user nkey; MalformedError if the prefix or checksum is wrong. */
export function publicKeyOfUserNkey(nkey: string): Uint8Array {
  // Prefix.User (160 = 0b10100_000) encodes as 'U' then a character whose top three bits are 0
  // (A–D); checked before the checksum so a non-user string is named as such.
  if (typeof nkey !== 'string' || nkey.length !== USER_NKEY_LENGTH || !/^U[A-D]/.test(nkey))
    throw new MalformedError('not a NATS user nkey');
  let key: Uint8Array;
  try {
    key = decodeNkey(NKEY_PREFIX.user, nkey);
  } catch (error) {
    if (error instanceof MalformedError && error.message === 'nkey checksum is wrong')
      throw new MalformedError('nkey checksum is wrong');
    throw new MalformedError('not a NATS user nkey');
  }
  if (key.length !== 32) throw new MalformedError('not a NATS user nkey');
  return key;
}
