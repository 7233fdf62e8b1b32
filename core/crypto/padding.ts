/**
 * MessageContent with padding, so a ciphertext's length says little about the text inside.
 * The encoded content is padded (field 15, zero bytes; the AEAD hides them) to a bucket:
 * the next multiple of 256 bytes up to 4 KiB, then the next power of two (at most 2x).
 * @example const plaintext = encodeMessageContent({ text: 'hello' }); // 256 bytes
 */
import { type roomkey, v1 } from '../../proto/index.ts';
import { decode, encode } from '../codec.ts';
import { MalformedError } from '../errors.ts';
import { plainBytes, requireBytes } from './_checks.ts';

const BLOCK = 256;
const LINEAR_LIMIT = 4096;
/** Tag of field 15 (wire type 2) is one byte: (15 << 3) | 2 = 122. */
const PADDING_TAG_BYTES = 1;

export interface MessageContent {
  text: string;
  /** Message id this one replies to; empty when none. */
  replyTo: Uint8Array;
}

/**
 * The padded size for `length` bytes: 256, 512, ... 4096, then 8192, 16384, ...
 * @example paddedLength(300) === 512
 */
export function paddedLength(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) throw new MalformedError('padded length: expected a size');
  if (length <= LINEAR_LIMIT) return Math.max(BLOCK, Math.ceil(length / BLOCK) * BLOCK);
  return 2 ** Math.ceil(Math.log2(length));
}

function varintLength(n: number): number {
  let bytes = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    bytes++;
  }
  return bytes;
}

/** Padding field size p such that 1 (tag) + varint(p) + p === room, or undefined if none fits. */
function paddingFor(room: number): number | undefined {
  for (let lengthBytes = 1; lengthBytes <= 5; lengthBytes++) {
    const p = room - PADDING_TAG_BYTES - lengthBytes;
    if (p >= 0 && varintLength(p) === lengthBytes) return p;
  }
  return undefined;
}

/**
 * Encodes a MessageContent padded to its bucket (the plaintext to seal in an envelope).
 * @example const plaintext = encodeMessageContent({ text: 'hi', replyTo: parentId });
 */
export function encodeMessageContent(content: { text?: string; replyTo?: Uint8Array }): Uint8Array {
  if (content.text !== undefined && typeof content.text !== 'string')
    throw new MalformedError('text: expected a string');
  if (content.replyTo !== undefined) requireBytes(content.replyTo, {}, 'reply to');
  const fields: roomkey.v1.IMessageContent = {
    text: content.text ?? '',
    replyTo: content.replyTo ?? new Uint8Array(0),
  };
  return encodePadded(v1.MessageContent, fields, 'message content');
}

/**
 * Encodes any message that has `bytes padding = 15` padded to its bucket (paddedLength).
 * @example const plaintext = encodePadded(v1.RoomInfo, { name: 'Ops' }, 'room info');
 */
export function encodePadded<P extends { padding?: Uint8Array | null }>(
  type: { encode(message: P): { finish(): Uint8Array } },
  fields: P,
  what: string,
): Uint8Array {
  const bare = encode(type, fields).length;
  // A bucket whose spare room cannot hold the padding field exactly (room of 1) moves to the next.
  let target = paddedLength(bare);
  while (target !== bare && paddingFor(target - bare) === undefined) target = paddedLength(target + 1);
  const padding = target === bare ? undefined : new Uint8Array(paddingFor(target - bare)!);
  const out = encode(type, padding ? { ...fields, padding } : fields);
  if (out.length !== target)
    throw new MalformedError(`${what}: padding arithmetic failed (${out.length} != ${target})`);
  return out;
}

/**
 * Decodes a MessageContent (padding dropped); MalformedError on bad bytes.
 * @example const { text } = decodeMessageContent(decryptEnvelope(parsed, key));
 */
export function decodeMessageContent(bytes: Uint8Array): MessageContent {
  const decoded = decode(v1.MessageContent, bytes, 'message content');
  return { text: decoded.text, replyTo: plainBytes(decoded.replyTo) };
}
