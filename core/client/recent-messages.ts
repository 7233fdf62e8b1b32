/**
 * The messages a room saw lately (live or sent from here), by id, so an App Notification that
 * arrives just before or after its message can show a preview decrypted on this device. A caller
 * may wait a moment for a message that has not arrived yet. Bounded: the oldest are forgotten.
 * A delete by the author takes the text out at once: the message and its edits are forgotten, and
 * a copy arriving after its delete is kept without text (a notification then shows no preview).
 * @example recent.remember(message); const m = await recent.get(idHex, 1500);
 */
import type { MessageEventFields, ReceivedMessage, SentMessage } from './types.ts';

/** A message someone can read (not held, not failed). */
export type Readable = SentMessage | ReceivedMessage;

const KEPT = 256;

/**
 * The message a delete removes, when `message` is a delete (its author is checked by the caller
 * against the target's: only the author deletes).
 * @example const target = deletedBy(message); if (target) forget(target, message.senderUserId);
 */
export function deletedBy(message: MessageEventFields): string | undefined {
  return message.action === 'delete' && message.target ? message.target : undefined;
}

/**
 * Whether `message` is `target` itself or an edit of it, by `author`: what a delete takes away.
 * @example if (textOfDeleted(kept, target, author)) drop(kept);
 */
export function textOfDeleted(
  message: { messageId: string; senderUserId: string } & MessageEventFields,
  target: string,
  author: string,
): boolean {
  if (message.senderUserId !== author) return false;
  return message.messageId === target || (message.action === 'edit' && message.target === target);
}

/**
 * Recently seen messages of one room (see the top of this file).
 * @example const recent = new RecentMessages(); recent.remember(message);
 */
export class RecentMessages {
  readonly #messages = new Map<string, Readable>();
  readonly #waiting = new Map<string, Array<(m: Readable) => void>>();
  /** Deleted message id → its author, for a copy that arrives after the delete. */
  readonly #deleted = new Map<string, string>();

  remember(given: Readable): void {
    const target = deletedBy(given);
    if (target) this.#forget(target, given.senderUserId);
    const message =
      this.#deleted.get(given.messageId) === given.senderUserId ? { ...given, text: '' } : given;
    this.#messages.set(message.messageId, message);
    if (this.#messages.size > KEPT) this.#messages.delete(this.#messages.keys().next().value!);
    const waiting = this.#waiting.get(message.messageId);
    if (waiting) {
      this.#waiting.delete(message.messageId);
      for (const resolve of waiting) resolve(message);
    }
  }

  /** The deleted message and its edits lose their text here (see the top of this file). */
  #forget(target: string, author: string): void {
    this.#deleted.set(target, author);
    if (this.#deleted.size > KEPT) this.#deleted.delete(this.#deleted.keys().next().value!);
    for (const [id, kept] of this.#messages)
      if (textOfDeleted(kept, target, author)) this.#messages.delete(id);
  }

  /** The message with this id, waiting up to `ms` for it to arrive; undefined when it did not. */
  get(messageIdHex: string, ms: number): Promise<Readable | undefined> {
    const hit = this.#messages.get(messageIdHex);
    if (hit || ms <= 0) return Promise.resolve(hit);
    return new Promise((resolve) => {
      const list = this.#waiting.get(messageIdHex) ?? [];
      const timer = setTimeout(() => {
        const rest = (this.#waiting.get(messageIdHex) ?? []).filter((r) => r !== done);
        if (rest.length) this.#waiting.set(messageIdHex, rest);
        else this.#waiting.delete(messageIdHex);
        resolve(undefined);
      }, ms);
      const done = (m: Readable) => {
        clearTimeout(timer);
        resolve(m);
      };
      list.push(done);
      this.#waiting.set(messageIdHex, list);
    });
  }
}
