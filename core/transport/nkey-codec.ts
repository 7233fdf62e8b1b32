/**
 * The NATS nkey text encoding (as nkeys.js writes it), without nkeys.js: that package brings
 * tweetnacl, a second Ed25519 of 33 KiB, into every browser bundle (issue 19).
 * Public key: base32(prefix byte || payload || crc16-xmodem little-endian), no padding.
 * Seed: base32(two bytes packing the seed prefix and the key's role || 32-byte seed || crc16).
 * @example encodeNkey(NKEY_PREFIX.user, publicKey) // 'UAB…'
 */
import { MalformedError } from '../errors.ts';

/** nkeys.js's prefix bytes (the top five bits pick the first base32 letter). */
export const NKEY_PREFIX = {
  seed: 18 << 3, // 'S'
  operator: 14 << 3, // 'O'
  server: 13 << 3, // 'N'
  cluster: 2 << 3, // 'C'
  account: 0, // 'A'
  user: 20 << 3, // 'U'
} as const;

const PUBLIC_PREFIXES: ReadonlySet<number> = new Set([
  NKEY_PREFIX.operator,
  NKEY_PREFIX.server,
  NKEY_PREFIX.cluster,
  NKEY_PREFIX.account,
  NKEY_PREFIX.user,
]);

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function fromBase32(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let bits = 0;
  let value = 0;
  let j = 0;
  for (const char of text) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) throw new MalformedError('nkey: not base32 text');
    value = ((value << 5) | digit) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      out[j++] = (value >>> (bits - 8)) & 255;
      bits -= 8;
    }
  }
  return out.subarray(0, j);
}

/** CRC-16/XMODEM (polynomial 0x1021, initial 0), the checksum nkeys appends. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

function withChecksum(raw: Uint8Array): string {
  const out = new Uint8Array(raw.length + 2);
  out.set(raw);
  const sum = crc16(raw);
  out[raw.length] = sum & 0xff;
  out[raw.length + 1] = sum >>> 8;
  return base32(out);
}

/** The checked payload (prefix bytes included) of nkey text; MalformedError on a bad checksum. */
function checked(text: string): Uint8Array {
  if (typeof text !== 'string' || text.length < 4) throw new MalformedError('not a NATS nkey');
  const raw = fromBase32(text);
  if (raw.length < 3) throw new MalformedError('not a NATS nkey');
  const body = raw.subarray(0, raw.length - 2);
  const sum = raw[raw.length - 2]! | (raw[raw.length - 1]! << 8);
  if (crc16(body) !== sum) throw new MalformedError('nkey checksum is wrong');
  return body;
}

/**
 * The nkey text of a public key with the given role prefix.
 * @example encodeNkey(NKEY_PREFIX.user, new Uint8Array(32)) // 'UAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA…'
 */
export function encodeNkey(prefix: number, payload: Uint8Array): string {
  if (!PUBLIC_PREFIXES.has(prefix)) throw new MalformedError('nkey: unknown role prefix');
  return withChecksum(Uint8Array.of(prefix, ...payload));
}

/**
 * The payload of nkey text with the expected role prefix; MalformedError otherwise.
 * @example decodeNkey(NKEY_PREFIX.user, 'UAB…') // 32 bytes
 */
export function decodeNkey(prefix: number, text: string): Uint8Array {
  const body = checked(text);
  if (body[0] !== prefix) throw new MalformedError('nkey: wrong role prefix');
  return body.slice(1);
}

/**
 * The seed text of a 32-byte Ed25519 seed for a role (what nkeys.js's getSeed returns, as text).
 * @example encodeSeed(NKEY_PREFIX.user, seed) // 'SU…'
 */
export function encodeSeed(role: number, seed: Uint8Array): string {
  if (!PUBLIC_PREFIXES.has(role)) throw new MalformedError('nkey seed: unknown role prefix');
  if (seed.length !== 32) throw new MalformedError('nkey seed: expected 32 bytes');
  return withChecksum(Uint8Array.of(NKEY_PREFIX.seed | (role >> 5), (role & 31) << 3, ...seed));
}

/**
 * The role and the 32-byte seed inside seed text ('S' + role letter); MalformedError otherwise.
 * @example decodeSeed('SUA…') // { role: NKEY_PREFIX.user, seed }
 */
export function decodeSeed(text: string): { role: number; seed: Uint8Array } {
  const body = checked(text);
  if ((body[0]! & 0xf8) !== NKEY_PREFIX.seed || body.length !== 34)
    throw new MalformedError('not a NATS nkey seed');
  const role = ((body[0]! & 7) << 5) | ((body[1]! & 0xf8) >> 3);
  if (!PUBLIC_PREFIXES.has(role)) throw new MalformedError('nkey seed: unknown role prefix');
  return { role, seed: body.slice(2) };
}
