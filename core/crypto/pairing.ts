/**
 * Pairing (moving the user identity to a new device), the cryptographic part:
 *   offer      = PairingOffer { channel_id (16 random bytes), ephemeral X25519 key, device key,
 *                expires_at_ms (≤ 2 min) }, shown by the NEW device as QR text
 *                "roomkey-pair:v1:" + base64url(offer bytes);
 *   hello      = PairingHello { channel_id, 32 random bytes of the OLD device, the user's identity };
 *   transcript = SHA-512(utf8("roomkey/v1/pairing-transcript") || 0x00 || u32be(len offer) || offer
 *                || u32be(len hello) || hello)   (the exact bytes each side sent; never re-encoded);
 *   code       = HKDF-SHA512(ikm = transcript, salt = "roomkey/v1/pairing-code", info = "", 8 bytes)
 *                as a big-endian integer mod 10^6, six digits: neither side chooses it, and it
 *                changes if the offer or the hello the other side saw differs in one bit;
 *   transfer   = HPKE base (the suite of hpke.ts) to the offer's ephemeral key, info
 *                "roomkey/v1/pairing", aad = transcript: a transfer made for another channel, offer
 *                or hello does not open.
 * @example const code = pairingCode(pairingTranscript(offerBytes, helloBytes));
 */
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha512 } from '@noble/hashes/sha2.js';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { concatBytes, fromBase64Url, toBase64Url, u32be, utf8 } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { ExpiredError, MalformedError } from '../errors.ts';
import { requireBytes } from './_checks.ts';
import { hpkeOpen, hpkeSeal } from './hpke.ts';
import {
  HPKE_INFO_PAIRING,
  LABEL_PAIRING_TRANSCRIPT,
  PAIRING_CODE_SALT,
  PAIRING_QR_PREFIX,
} from './labels.ts';

/** How long an offer is good for (the 2 minutes). */
export const PAIRING_OFFER_TTL_MS = 120_000;
/** Clock difference between the two devices (and the gateway) that is still accepted. */
export const PAIRING_CLOCK_SKEW_MS = 30_000;
export const PAIRING_CHANNEL_ID_BYTES = 16;
export const PAIRING_NONCE_BYTES = 32;
export const PAIRING_TRANSCRIPT_BYTES = 64;
export const PAIRING_CODE_DIGITS = 6;
/** An offer is ~100 bytes; anything much larger is not one. */
const MAX_OFFER_BYTES = 256;
const MAX_HELLO_BYTES = 4096;

/** A parsed, checked offer with the exact bytes it came as (the transcript hashes those). */
export interface ParsedPairingOffer {
  bytes: Uint8Array;
  channelId: Uint8Array;
  ephemeralKey: Uint8Array;
  deviceKey: Uint8Array;
  expiresAtMs: number;
}

/**
 * The bytes and QR text of a new offer.
 * @example const { bytes, qrText } = encodePairingOffer({ channelId, ephemeralKey, deviceKey, expiresAtMs });
 */
export function encodePairingOffer(offer: Omit<ParsedPairingOffer, 'bytes'>): {
  bytes: Uint8Array;
  qrText: string;
} {
  const bytes = encode(v1.PairingOffer, {
    channelId: requireBytes(offer.channelId, PAIRING_CHANNEL_ID_BYTES, 'pairing channel id'),
    ephemeralKey: requireBytes(offer.ephemeralKey, 32, 'pairing ephemeral key'),
    deviceKey: requireBytes(offer.deviceKey, 32, 'pairing device key'),
    expiresAtMs: offer.expiresAtMs,
  });
  return { bytes, qrText: PAIRING_QR_PREFIX + toBase64Url(bytes) };
}

/**
 * Reads an offer from its bytes (hostile input: every field is checked).
 * @example const offer = parsePairingOfferBytes(bytes);
 */
export function parsePairingOfferBytes(bytes: Uint8Array): ParsedPairingOffer {
  requireBytes(bytes, { min: 1, max: MAX_OFFER_BYTES }, 'pairing offer');
  const offer = decode(v1.PairingOffer, bytes, 'pairing offer');
  const expiresAtMs = Number(offer.expiresAtMs);
  if (!Number.isSafeInteger(expiresAtMs) || expiresAtMs <= 0) {
    throw new MalformedError('pairing offer: no expiry time. Show a new code on the new device.');
  }
  return {
    bytes: bytes.slice(),
    channelId: requireBytes(offer.channelId, PAIRING_CHANNEL_ID_BYTES, 'pairing channel id').slice(),
    ephemeralKey: requireBytes(offer.ephemeralKey, 32, 'pairing ephemeral key').slice(),
    deviceKey: requireBytes(offer.deviceKey, 32, 'pairing device key').slice(),
    expiresAtMs,
  };
}

/**
 * Reads the text of a pairing QR code (scanned or pasted); surrounding spaces are ignored.
 * @example const offer = parsePairingOfferText('roomkey-pair:v1:CiA…');
 */
export function parsePairingOfferText(text: unknown): ParsedPairingOffer {
  if (typeof text !== 'string' || text.length > 1024) {
    throw new MalformedError('This is not a RoomKey pairing code: scan the code the new device shows.');
  }
  const trimmed = text.trim();
  if (!trimmed.startsWith(PAIRING_QR_PREFIX)) {
    throw new MalformedError('This is not a RoomKey pairing code: scan the code the new device shows.');
  }
  let bytes: Uint8Array;
  try {
    bytes = fromBase64Url(trimmed.slice(PAIRING_QR_PREFIX.length));
  } catch (cause) {
    throw new MalformedError('This pairing code is damaged: scan it again or copy all of it.', { cause });
  }
  return parsePairingOfferBytes(bytes);
}

/**
 * ExpiredError when `offer` is past its time or claims more than the 2-minute lifetime.
 * @example requireFreshOffer(offer, Date.now());
 */
export function requireFreshOffer(offer: { expiresAtMs: number }, now: number): void {
  if (offer.expiresAtMs <= now) {
    throw new ExpiredError('This pairing code has expired: show a new one on the new device.');
  }
  if (offer.expiresAtMs > now + PAIRING_OFFER_TTL_MS + PAIRING_CLOCK_SKEW_MS) {
    throw new ExpiredError(
      'This pairing code claims to live longer than 2 minutes: check both devices’ clocks and show a new one.',
    );
  }
}

/**
 * The hello the old device sends: its random nonce and the user's identity.
 * @example const helloBytes = encodePairingHello({ channelId, nonce, identity });
 */
export function encodePairingHello(hello: roomkey.v1.PairingHello.$Properties): Uint8Array {
  return encode(v1.PairingHello, hello);
}

/**
 * Reads a hello (hostile input: as relayed by the gateway).
 * @example const hello = parsePairingHello(bytes, offer.channelId);
 */
export function parsePairingHello(bytes: Uint8Array, channelId: Uint8Array): roomkey.v1.PairingHello {
  requireBytes(bytes, { min: 1, max: MAX_HELLO_BYTES }, 'pairing hello');
  const hello = decode(v1.PairingHello, bytes, 'pairing hello');
  requireBytes(hello.channelId, PAIRING_CHANNEL_ID_BYTES, 'pairing hello channel id');
  if (!sameBytes(hello.channelId, channelId)) {
    throw new MalformedError('pairing hello: made for another pairing channel.');
  }
  requireBytes(hello.nonce, PAIRING_NONCE_BYTES, 'pairing hello nonce');
  if (!hello.identity?.body?.length) throw new MalformedError('pairing hello: no identity.');
  return hello;
}

/**
 * The 64-byte transcript hash over the exact offer and hello bytes (see the top of this file).
 * @example const transcript = pairingTranscript(offer.bytes, helloBytes);
 */
export function pairingTranscript(offerBytes: Uint8Array, helloBytes: Uint8Array): Uint8Array {
  requireBytes(offerBytes, { min: 1, max: MAX_OFFER_BYTES }, 'pairing offer');
  requireBytes(helloBytes, { min: 1, max: MAX_HELLO_BYTES }, 'pairing hello');
  return sha512(
    concatBytes(
      utf8(LABEL_PAIRING_TRANSCRIPT),
      new Uint8Array([0]),
      u32be(offerBytes.length),
      offerBytes,
      u32be(helloBytes.length),
      helloBytes,
    ),
  );
}

/**
 * The six-digit confirmation code both screens show (see the top of this file).
 * @example pairingCode(transcript) // "042917"
 */
export function pairingCode(transcript: Uint8Array): string {
  requireBytes(transcript, PAIRING_TRANSCRIPT_BYTES, 'pairing transcript');
  const okm = hkdf(sha512, transcript, utf8(PAIRING_CODE_SALT), new Uint8Array(0), 8);
  let n = 0n;
  for (const byte of okm) n = (n << 8n) | BigInt(byte);
  // 2^64 / 10^6 leaves a bias below 2^-44: no digit is noticeably likelier than another.
  return (n % 10n ** BigInt(PAIRING_CODE_DIGITS)).toString().padStart(PAIRING_CODE_DIGITS, '0');
}

/**
 * Seals the PairingPayload bytes to the offer's ephemeral key, bound to the transcript. `ikmE`
 * fixes the HPKE ephemeral key for vectors only.
 * @example const transfer = await sealPairingTransfer(offer.ephemeralKey, transcript, payloadBytes);
 */
export async function sealPairingTransfer(
  ephemeralKey: Uint8Array,
  transcript: Uint8Array,
  payload: Uint8Array,
  ikmE?: Uint8Array,
): Promise<{ enc: Uint8Array; ciphertext: Uint8Array }> {
  requireBytes(transcript, PAIRING_TRANSCRIPT_BYTES, 'pairing transcript');
  return hpkeSeal(ephemeralKey, payload, utf8(HPKE_INFO_PAIRING), transcript, ikmE);
}

/**
 * Opens a transfer with the ephemeral private key; DecryptError when it was changed, sealed to
 * another key, or made for another transcript (another channel, offer or hello).
 * @example const payloadBytes = await openPairingTransfer(ephemeralSecret, transcript, transfer);
 */
export async function openPairingTransfer(
  ephemeralSecret: Uint8Array,
  transcript: Uint8Array,
  transfer: { enc?: Uint8Array | null; ciphertext?: Uint8Array | null },
): Promise<Uint8Array> {
  requireBytes(transcript, PAIRING_TRANSCRIPT_BYTES, 'pairing transcript');
  const enc = requireBytes(transfer.enc, 32, 'pairing transfer enc');
  const ciphertext = requireBytes(transfer.ciphertext, { min: 16, max: 1024 * 1024 }, 'pairing transfer');
  return hpkeOpen(ephemeralSecret, enc, ciphertext, utf8(HPKE_INFO_PAIRING), transcript);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
