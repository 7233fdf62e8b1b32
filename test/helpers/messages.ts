// Reading any ChatMessage variant in assertions: a held, failed or membership row has no text and no
// sender, which reads as '' here (what those fields held before ChatMessage became a union).
import type { ChatMessage } from '../../core/client/types.ts';

/** The text of a message, '' for a variant without one. */
export function textOf(message: ChatMessage): string {
  return message.status === 'held' || message.status === 'failed' || message.status === 'membership'
    ? ''
    : message.text;
}

/** The sender's username, '' for a variant without one. */
export function senderOf(message: ChatMessage): string {
  return message.status === 'held' || message.status === 'failed' || message.status === 'membership'
    ? ''
    : message.senderUsername;
}
