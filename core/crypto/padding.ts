/**
 * MessageContent with padding, so a ciphertext's length says little about the text inside.
 * The encoded content is padded (field 15, zero bytes; the AEAD hides them) to a bucket:
 * the next multiple of 256 bytes up to 4 KiB, then the next power of two (at most 2x).
 * @example const plaintext = encodeMessageContent({ text: 'hello' }); // 256 bytes
 */
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { utf8 } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { MalformedError } from '../errors.ts';
import { plainBytes, requireBytes } from './_checks.ts';
import { MESSAGE_ID_BYTES } from './envelope.ts';

const BLOCK = 256;
const LINEAR_LIMIT = 4096;
/** Tag of field 15 (wire type 2) is one byte: (15 << 3) | 2 = 122. */
const PADDING_TAG_BYTES = 1;

/** What a message does (MessageAction on the wire): `post` is an ordinary message. */
export type MessageActionName = 'post' | 'edit' | 'delete' | 'react' | 'unreact';

/** Wire numbers of MessageAction, by name (index = number). */
const ACTIONS: readonly MessageActionName[] = ['post', 'edit', 'delete', 'react', 'unreact'];

/** A reaction is one emoji: at most this many bytes of UTF-8 (flags and skin tones included). */
export const MAX_REACTION_BYTES = 32;

export interface MessageContent {
  text: string;
  /** Message id this one replies to; empty when none. */
  replyTo: Uint8Array;
  action: MessageActionName;
  /** The message an edit, delete, react or unreact acts on; empty for a post. */
  target: Uint8Array;
  /** The emoji of a react or unreact; '' otherwise. */
  reaction: string;
}

/** What encodeMessageContent takes: a post by default. */
export interface MessageContentInput {
  text?: string;
  replyTo?: Uint8Array;
  action?: MessageActionName;
  target?: Uint8Array;
  reaction?: string;
}

const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3/u;

/**
 * True for one emoji grapheme cluster of at most MAX_REACTION_BYTES (what a reaction may be).
 * @example isReaction('👍🏽') === true; isReaction('ok') === false
 */
export function isReaction(value: unknown): value is string {
  if (typeof value !== 'string' || value === '' || utf8(value).length > MAX_REACTION_BYTES) return false;
  if (!EMOJI.test(value) || /[\s\p{Cc}]/u.test(value)) return false;
  const segments = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(value)];
  return segments.length === 1;
}

/**
 * The fields each action must and must not have, so a receiver never guesses: a post has no target
 * or reaction; edit, delete, react and unreact name a 16-byte target; an edit carries its new
 * (non-empty) text, a delete none; react and unreact carry one emoji and no text.
 */
function checkAction(c: MessageContent): MessageContent {
  const what = `message content (${c.action})`;
  if (c.action === 'post') {
    if (c.target.length > 0 || c.reaction !== '') throw new MalformedError(`${what}: a post has no target`);
    return c;
  }
  if (c.target.length !== MESSAGE_ID_BYTES)
    throw new MalformedError(`${what}: the target must be a ${MESSAGE_ID_BYTES}-byte message id`);
  if (c.replyTo.length > 0) throw new MalformedError(`${what}: only a post replies`);
  const react = c.action === 'react' || c.action === 'unreact';
  if (react !== (c.reaction !== '') || (react && !isReaction(c.reaction)))
    throw new MalformedError(`${what}: a reaction is one emoji of at most ${MAX_REACTION_BYTES} bytes`);
  if ((c.action === 'edit') !== (c.text !== ''))
    throw new MalformedError(`${what}: only an edit carries text, and it is not empty`);
  return c;
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
export function encodeMessageContent(content: MessageContentInput): Uint8Array {
  if (content.text !== undefined && typeof content.text !== 'string')
    throw new MalformedError('text: expected a string');
  if (content.replyTo !== undefined) requireBytes(content.replyTo, {}, 'reply to');
  if (content.target !== undefined) requireBytes(content.target, {}, 'target');
  if (content.reaction !== undefined && typeof content.reaction !== 'string')
    throw new MalformedError('reaction: expected a string');
  const action = content.action ?? 'post';
  if (!ACTIONS.includes(action))
    throw new MalformedError(`message content: unknown action ${String(action)}`);
  const checked = checkAction({
    text: content.text ?? '',
    replyTo: content.replyTo ?? new Uint8Array(0),
    action,
    target: content.target ?? new Uint8Array(0),
    reaction: content.reaction ?? '',
  });
  // A post's fields stay exactly as before the actions existed (same bytes, same vectors).
  const fields: roomkey.v1.IMessageContent = {
    text: checked.text,
    replyTo: checked.replyTo,
    ...(action === 'post'
      ? {}
      : { action: ACTIONS.indexOf(action), target: checked.target, reaction: checked.reaction }),
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
 * Each action's fields are checked (checkAction): hostile content is a MalformedError, never half-applied.
 * @example const { text } = decodeMessageContent(decryptEnvelope(parsed, key));
 */
export function decodeMessageContent(bytes: Uint8Array): MessageContent {
  const decoded = decode(v1.MessageContent, bytes, 'message content');
  const action = ACTIONS[decoded.action];
  if (action === undefined)
    throw new MalformedError(
      `message content: action ${decoded.action} is not known to this version of RoomKey: update it to read this message`,
    );
  return checkAction({
    text: decoded.text,
    replyTo: plainBytes(decoded.replyTo),
    action,
    target: plainBytes(decoded.target),
    reaction: decoded.reaction,
  });
}
