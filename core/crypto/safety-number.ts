/**
 * Safety numbers: what two users compare (or scan) to know the gateway gave each the other's real
 * keys. In the style of Signal's numeric fingerprint, from audited primitives only (SHA-512 of
 * @noble/hashes):
 *   fingerprint(user) = H^5200 where H_0 = SHA-512(utf8("roomkey/v1/safety-number") || 0x00 ||
 *     u32be(len(userId)) || utf8(userId) || signingKey || hpkeKey), H_i = SHA-512(H_{i-1} || signingKey || hpkeKey);
 *   digits(user) = the first 30 bytes of the fingerprint as six 5-byte big-endian chunks, each mod 100000,
 *     zero-padded to 5 digits (30 digits);
 *   safety number = the two users' 30-digit strings in ascending order, concatenated (60 digits, shown
 *     as 12 groups of 5). Both users compute the same number; it changes when either key changes.
 * The iterations make searching for a key pair whose half collides with someone's ~2^100 times
 * 5200 hashes. The QR carries `roomkey-safety:v1:` + the 60 digits: scanning the other's code is
 * comparing the numbers by machine.
 * @example const number = safetyNumber(me, bob); number.digits.length === 60;
 */
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, u32be, utf8 } from '../bytes.ts';
import { MalformedError } from '../errors.ts';
import { requireBytes, requireId } from './_checks.ts';
import { LABEL_SAFETY_NUMBER, SAFETY_NUMBER_QR_PREFIX } from './labels.ts';

/** SHA-512 iterations per fingerprint (Signal's count). */
export const SAFETY_NUMBER_ITERATIONS = 5200;
/** Digits in a whole safety number (30 per user). */
export const SAFETY_NUMBER_DIGITS = 60;

/** The public keys that a safety number covers: the user identity's two keys, and whose they are. */
export interface SafetyKeys {
  userId: string;
  signingKey: Uint8Array;
  hpkeKey: Uint8Array;
}

/** A pair's safety number. */
export interface SafetyNumber {
  /** 60 digits, no spaces. */
  digits: string;
  /** The digits in 12 groups of 5 (what people read aloud). */
  groups: string[];
  /** The text of its QR code. */
  qrText: string;
}

/**
 * The 30-digit half of one user (exposed for the vectors).
 * @example const half = safetyHalf({ userId, signingKey, hpkeKey });
 */
export function safetyHalf(keys: SafetyKeys): string {
  const userId = utf8(requireId(keys.userId, 'user id'));
  const signingKey = requireBytes(keys.signingKey, 32, 'signing key');
  const hpkeKey = requireBytes(keys.hpkeKey, 32, 'HPKE key');
  const both = concatBytes(signingKey, hpkeKey);
  let hash = sha512(
    concatBytes(utf8(LABEL_SAFETY_NUMBER), new Uint8Array([0]), u32be(userId.length), userId, both),
  );
  for (let i = 1; i < SAFETY_NUMBER_ITERATIONS; i++) hash = sha512(concatBytes(hash, both));
  let digits = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0;
    // 40 bits fit a double exactly.
    for (let b = 0; b < 5; b++) value = value * 256 + (hash[chunk * 5 + b] as number);
    digits += String(value % 100_000).padStart(5, '0');
  }
  return digits;
}

/**
 * The safety number of two users (the same whichever side computes it).
 * @example const { groups, qrText } = safetyNumber(aliceKeys, bobKeys);
 */
export function safetyNumber(a: SafetyKeys, b: SafetyKeys): SafetyNumber {
  const halves = [safetyHalf(a), safetyHalf(b)].sort();
  const digits = halves.join('');
  return {
    digits,
    groups: digits.match(/\d{5}/g) as string[],
    qrText: `${SAFETY_NUMBER_QR_PREFIX}${digits}`,
  };
}

/**
 * The digits in what someone pasted or scanned: a safety-number QR's text, or the number typed
 * with any spaces. MalformedError when it is neither (the message says what was expected).
 * @example parseSafetyNumber('roomkey-safety:v1:0123…') // → '0123…'
 */
export function parseSafetyNumber(text: string): string {
  const trimmed = typeof text === 'string' ? text.trim() : '';
  const body = trimmed.startsWith(SAFETY_NUMBER_QR_PREFIX)
    ? trimmed.slice(SAFETY_NUMBER_QR_PREFIX.length)
    : trimmed.replace(/\s+/g, '');
  if (body.length !== SAFETY_NUMBER_DIGITS || !/^\d+$/.test(body)) {
    throw new MalformedError(
      `That is not a safety number: expected ${SAFETY_NUMBER_DIGITS} digits or the text of a RoomKey safety-number QR code.`,
    );
  }
  return body;
}
