/**
 * NATS nkey text form of an Ed25519 public key: the device key IS the device's NATS user nkey, so
 * the gateway names it in a user JWT and the server checks the connection signs with it.
 * Format (nkeys.js): base32(prefix byte || 32-byte key || crc16-xmodem little-endian), no padding.
 * @example userNkey(devicePublicKey) // 'UAB…' (56 characters)
 */
import { MalformedError } from '../errors.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** nkeys Prefix.User (20 << 3): base32-encodes to a leading 'U'. */
const USER_PREFIX = 20 << 3;

export function userNkey(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new MalformedError('device key: expected 32 bytes');
  }
  const raw = new Uint8Array(35);
  raw[0] = USER_PREFIX;
  raw.set(publicKey, 1);
  const crc = crc16(raw.subarray(0, 33));
  raw[33] = crc & 0xff;
  raw[34] = crc >>> 8;
  return base32(raw);
}

/** The 32-byte public key inside a user nkey; MalformedError if the prefix or checksum is wrong. */
export function publicKeyOfUserNkey(nkey: string): Uint8Array {
  const raw = typeof nkey === 'string' && nkey.length === 56 ? unbase32(nkey) : undefined;
  if (raw?.length !== 35 || raw[0] !== USER_PREFIX) throw new MalformedError('not a NATS user nkey');
  if (crc16(raw.subarray(0, 33)) !== (raw[33]! | (raw[34]! << 8)))
    throw new MalformedError('nkey checksum is wrong');
  return raw.slice(1, 33);
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function unbase32(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text) {
    const index = ALPHABET.indexOf(char);
    if (index < 0) return undefined;
    value = ((value << 5) | index) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** CRC-16/XMODEM (polynomial 0x1021, initial 0), as nkeys uses. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
