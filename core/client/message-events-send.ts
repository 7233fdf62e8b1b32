/**
 * A reply, edit, delete or reaction as a host asks for it (hex ids), turned into what core/room
 * encrypts: the text and the content fields. Ids are checked here; core/crypto's padding.ts checks
 * what each action must carry (a reaction is one emoji, an edit has text, …).
 * @example const { text, options } = eventToSend({ action: 'react', target: messageId, reaction: '👍' });
 */
import { fromHex } from '../bytes.ts';
import type { MessageActionName } from '../crypto/index.ts';
import { MalformedError } from '../errors.ts';

/** The fields of an event to send, as a host passes them (hex ids). */
export type MessageEventInput =
  | { action: 'reply'; replyTo: string; text: string }
  | { action: 'edit'; target: string; text: string }
  | { action: 'delete'; target: string }
  | { action: 'react' | 'unreact'; target: string; reaction: string };

const MESSAGE_ID_HEX = /^[0-9a-f]{32}$/;

function messageIdBytes(hex: unknown, what: string): Uint8Array {
  if (typeof hex !== 'string' || !MESSAGE_ID_HEX.test(hex))
    throw new MalformedError(`${what}: expected the message id (32 hex digits) of a message in this room`);
  return fromHex(hex);
}

/**
 * The text and encrypt options of an event to send (hex ids checked; core/crypto checks the rest).
 * @example const { text, options } = eventToSend({ action: 'delete', target: messageId });
 */
export function eventToSend(input: MessageEventInput): {
  text: string;
  options: { replyTo?: Uint8Array; action?: MessageActionName; target?: Uint8Array; reaction?: string };
} {
  switch (input.action) {
    case 'reply':
      return { text: input.text, options: { replyTo: messageIdBytes(input.replyTo, 'reply to') } };
    case 'edit':
      return { text: input.text, options: { action: 'edit', target: messageIdBytes(input.target, 'edit') } };
    case 'delete':
      return { text: '', options: { action: 'delete', target: messageIdBytes(input.target, 'delete') } };
    case 'react':
    case 'unreact':
      return {
        text: '',
        options: {
          action: input.action,
          target: messageIdBytes(input.target, input.action),
          reaction: input.reaction,
        },
      };
    default:
      throw new MalformedError(
        `message event: unknown action ${String((input as { action: unknown }).action)}`,
      );
  }
}
