/**
 * The message envelope (envelope.proto). Seal: encode the header once; those exact bytes are the
 * AEAD associated data, and the device key signs
 *   utf8("roomkey/v1/envelope") || 0x00 || u32be(len(header)) || header || ciphertext.
 * Open is split so core/room can check certificate, membership, epoch and replay in between:
 * parseEnvelope (shape) -> verifyEnvelopeSignature (sender device) -> decryptEnvelope (message key).
 * @example const parsed = parseEnvelope(bytes); await verifyEnvelopeSignature(parsed); const pt = decryptEnvelope(parsed, key);
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { equalBytes, u32be } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { BadSignatureError, MalformedError, TooLargeError, UnsupportedError } from '../errors.ts';
import { copyBytes, requireBytes, requireEpoch, requireId, requireTime } from './_checks.ts';
import { AEAD_KEY_BYTES, AEAD_NONCE_BYTES, AEAD_TAG_BYTES, aeadOpen, aeadSeal, randomNonce } from './aead.ts';
import { LABEL_ENVELOPE } from './labels.ts';
import { randomBytes } from './random.ts';
import {
  ED25519_PUBLIC_KEY_BYTES,
  ED25519_SIGNATURE_BYTES,
  labeledMessage,
  type SignOptions,
  sign,
  signingPublicKey,
  type VerifyItem,
  verify,
  verifyBatch,
} from './sign.ts';

export const ENVELOPE_VERSION = 1;
export const MESSAGE_ID_BYTES = 16;
/** Whole encoded envelope; larger input is a TooLargeError before any parsing. */
export const MAX_ENVELOPE_BYTES = 256 * 1024;
/** The header holds two ids (<= 256 bytes each), three keys/nonces and a few integers. */
export const MAX_ENVELOPE_HEADER_BYTES = 1024;

/** The header fields a sender chooses; version, device key and nonce are filled in. */
export interface EnvelopeHeaderFields {
  roomId: string;
  epoch: number;
  senderUserId: string;
  sentAtMs: number;
  contentType: roomkey.v1.ContentType;
  /** 16 bytes, unique per room (the replay key); random when omitted. */
  messageId?: Uint8Array;
}

export interface SealEnvelopeInput extends EnvelopeHeaderFields {
  plaintext: Uint8Array;
  messageKey: Uint8Array;
  /** The sender device's Ed25519 seed; its public key goes into the header. */
  deviceSecretKey: Uint8Array;
  /** 24 bytes; random when omitted (fixed only for test vectors). */
  nonce?: Uint8Array;
}

/** The three fields of a v1.Envelope. */
export interface EnvelopeParts {
  header: Uint8Array;
  ciphertext: Uint8Array;
  signature: Uint8Array;
}

/** A decoded, length-checked header. */
export interface EnvelopeHeader {
  version: number;
  roomId: string;
  epoch: number;
  senderDeviceKey: Uint8Array;
  senderUserId: string;
  messageId: Uint8Array;
  sentAtMs: number;
  contentType: number;
  nonce: Uint8Array;
}

/** The output of parseEnvelope: shape checked, signature NOT yet checked. Frozen. */
export interface ParsedEnvelope {
  readonly header: Readonly<EnvelopeHeader>;
  /** The exact header bytes that were signed and are the AEAD's associated data. */
  readonly headerBytes: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly signature: Uint8Array;
}

// Only objects made by parseEnvelope are accepted downstream, so header and headerBytes agree.
const parsedEnvelopes = new WeakSet<ParsedEnvelope>();

/** The bytes the sender's device key signs. */
function signedMessage(header: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return labeledMessage(LABEL_ENVELOPE, u32be(header.length), header, ciphertext);
}

/**
 * Encrypts and signs one message; returns the v1.Envelope fields.
 * @example const env = await sealEnvelope({ roomId, epoch, senderUserId, sentAtMs: Date.now(), contentType: 1, plaintext, messageKey, deviceSecretKey });
 */
export async function sealEnvelope(input: SealEnvelopeInput, options?: SignOptions): Promise<EnvelopeParts> {
  const nonce =
    input.nonce === undefined ? randomNonce() : requireBytes(input.nonce, AEAD_NONCE_BYTES, 'nonce');
  const messageId =
    input.messageId === undefined
      ? randomBytes(MESSAGE_ID_BYTES)
      : requireBytes(input.messageId, MESSAGE_ID_BYTES, 'message id');
  if (!Number.isInteger(input.contentType) || input.contentType < 0 || input.contentType > 0x7fffffff) {
    throw new MalformedError('content type: expected a non-negative int32');
  }
  const header = encode(v1.EnvelopeHeader, {
    version: ENVELOPE_VERSION,
    roomId: requireId(input.roomId, 'room id'),
    epoch: requireEpoch(input.epoch),
    senderDeviceKey: signingPublicKey(input.deviceSecretKey),
    senderUserId: requireId(input.senderUserId, 'sender user id'),
    messageId,
    sentAtMs: requireTime(input.sentAtMs, 'sent at'),
    contentType: input.contentType,
    nonce,
  });
  requireBytes(input.messageKey, AEAD_KEY_BYTES, 'message key');
  const ciphertext = aeadSeal(
    input.messageKey,
    nonce,
    requireBytes(input.plaintext, {}, 'plaintext'),
    header,
  );
  // Each of the three fields costs at most 1 tag byte + 3 length bytes on the wire.
  if (header.length + ciphertext.length + ED25519_SIGNATURE_BYTES + 3 * 4 > MAX_ENVELOPE_BYTES) {
    throw new TooLargeError(
      `envelope: the plaintext is too large (limit ${MAX_ENVELOPE_BYTES} bytes in all)`,
    );
  }
  const signature = await sign(signedMessage(header, ciphertext), input.deviceSecretKey, options);
  return { header, ciphertext, signature };
}

/**
 * Encodes envelope fields to the bytes that travel.
 * @example nats.publish(subject, encodeEnvelope(await sealEnvelope(input)));
 */
export function encodeEnvelope(parts: EnvelopeParts): Uint8Array {
  return encode(v1.Envelope, {
    header: parts.header,
    ciphertext: parts.ciphertext,
    signature: parts.signature,
  });
}

/**
 * Decodes and shape-checks an envelope (hostile input): sizes, field lengths, version, ids.
 * The outer encoding and the header's must both be canonical (each re-encodes to the same bytes:
 * no unknown, repeated or reordered fields, no explicit defaults, no over-long varints), so one
 * message has exactly one byte string. MalformedError / TooLargeError / UnsupportedError (version).
 * @example const parsed = parseEnvelope(msg.data);
 */
export function parseEnvelope(input: Uint8Array | roomkey.v1.IEnvelope): ParsedEnvelope {
  let fields: roomkey.v1.IEnvelope;
  if (input instanceof Uint8Array) {
    const decoded = decode(v1.Envelope, input, 'envelope', MAX_ENVELOPE_BYTES);
    fields = { header: decoded.header, ciphertext: decoded.ciphertext, signature: decoded.signature };
    if (!equalBytes(encode(v1.Envelope, fields), input)) {
      throw new MalformedError('envelope: not in canonical encoding (unknown, repeated or reordered fields)');
    }
  } else if (input !== null && typeof input === 'object') {
    fields = input;
  } else {
    throw new MalformedError('envelope: expected bytes or envelope fields');
  }
  const headerBytes = copyBytes(fields.header, { min: 1, max: MAX_ENVELOPE_HEADER_BYTES }, 'envelope header');
  const ciphertext = copyBytes(
    fields.ciphertext,
    { min: AEAD_TAG_BYTES, max: MAX_ENVELOPE_BYTES },
    'envelope ciphertext',
  );
  const signature = copyBytes(fields.signature, ED25519_SIGNATURE_BYTES, 'envelope signature');
  const parsed: ParsedEnvelope = Object.freeze({
    header: Object.freeze(parseHeader(headerBytes)),
    headerBytes,
    ciphertext,
    signature,
  });
  parsedEnvelopes.add(parsed);
  return parsed;
}

function parseHeader(bytes: Uint8Array): EnvelopeHeader {
  const h = decode(v1.EnvelopeHeader, bytes, 'envelope header', MAX_ENVELOPE_HEADER_BYTES);
  if (h.version !== ENVELOPE_VERSION) {
    throw new UnsupportedError(
      `envelope: version ${h.version} is not supported (this client speaks ${ENVELOPE_VERSION}).`,
    );
  }
  const header: EnvelopeHeader = {
    version: h.version,
    roomId: requireId(h.roomId, 'envelope header: room id'),
    epoch: requireEpoch(h.epoch, 'envelope header: epoch'),
    senderDeviceKey: copyBytes(
      h.senderDeviceKey,
      ED25519_PUBLIC_KEY_BYTES,
      'envelope header: sender device key',
    ),
    senderUserId: requireId(h.senderUserId, 'envelope header: sender user id'),
    messageId: copyBytes(h.messageId, MESSAGE_ID_BYTES, 'envelope header: message id'),
    sentAtMs: requireTime(h.sentAtMs, 'envelope header: sent at'),
    contentType: h.contentType,
    nonce: copyBytes(h.nonce, AEAD_NONCE_BYTES, 'envelope header: nonce'),
  };
  // Re-encoded from the checked fields alone (the decoder keeps unknown fields and would write them
  // back), so a header has one byte string: no reader can see other fields than the signer meant.
  if (!equalBytes(encode(v1.EnvelopeHeader, header), bytes)) {
    throw new MalformedError(
      'envelope header: not in canonical encoding (unknown, repeated or reordered fields, a field at its default written out, or an over-long varint); the sender must re-encode it.',
    );
  }
  return header;
}

function requireParsed(parsed: ParsedEnvelope): ParsedEnvelope {
  if (!parsedEnvelopes.has(parsed)) throw new MalformedError('envelope: pass the result of parseEnvelope');
  return parsed;
}

/**
 * Checks the signature by header.senderDeviceKey; BadSignatureError if it fails. It does not check
 * that the device is certified or a member: core/room does that.
 * @example await verifyEnvelopeSignature(parsed);
 */
export async function verifyEnvelopeSignature(parsed: ParsedEnvelope, options?: SignOptions): Promise<void> {
  const p = requireParsed(parsed);
  if (
    !(await verify(
      p.signature,
      signedMessage(p.headerBytes, p.ciphertext),
      p.header.senderDeviceKey,
      options,
    ))
  ) {
    throw new BadSignatureError(
      'envelope: the device signature does not verify; the message was modified or forged.',
    );
  }
}

/**
 * Verifies a batch of signatures, one boolean per item, with verifyBatch's verdicts (core/client's
 * worker pool runs verifyBatch in workers; a test may force a backend).
 */
export type BatchVerifier = (items: readonly VerifyItem[]) => Promise<boolean[]>;

/**
 * Checks many envelope signatures at once (batched WebCrypto, or `verifier`); true where valid.
 * @example const ok = await verifyEnvelopeSignatures(page.map(parseEnvelope));
 */
export async function verifyEnvelopeSignatures(
  parsed: readonly ParsedEnvelope[],
  options?: SignOptions & { verifier?: BatchVerifier },
): Promise<boolean[]> {
  const items = parsed.map(requireParsed).map((p) => ({
    signature: p.signature,
    message: signedMessage(p.headerBytes, p.ciphertext),
    publicKey: p.header.senderDeviceKey,
  }));
  return options?.verifier ? options.verifier(items) : verifyBatch(items, options);
}

/**
 * Decrypts with the epoch's message key (header bytes as AAD); DecryptError on any mismatch.
 * Call it after verifyEnvelopeSignature and the membership checks: every member holds this key.
 * @example const plaintext = decryptEnvelope(parsed, epochKeys.messageKey);
 */
export function decryptEnvelope(parsed: ParsedEnvelope, messageKey: Uint8Array): Uint8Array {
  const p = requireParsed(parsed);
  return aeadOpen(messageKey, p.header.nonce, p.ciphertext, p.headerBytes);
}
