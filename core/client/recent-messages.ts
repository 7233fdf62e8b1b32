/**
 * The messages a room saw lately (live or sent from here), by id, so an App Notification that
 * arrives just before or after its message can show a preview decrypted on this device. A caller
 * may wait a moment for a message that has not arrived yet. Bounded: the oldest are forgotten.
 * @example recent.remember(message); const m = await recent.get(idHex, 1500);
 */
import type { ReceivedMessage, SentMessage } from './types.ts';

/** A message someone can read (not held, not failed). */
export type Readable = SentMessage | ReceivedMessage;

const KEPT = 256;

/**
 * Recently seen messages of one room (see the top of this file).
 * @example const recent = new RecentMessages(); recent.remember(message);
 */
export class RecentMessages {
  readonly #messages = new Map<string, Readable>();
  readonly #waiting = new Map<string, Array<(m: Readable) => void>>();

  remember(message: Readable): void {
    this.#messages.set(message.messageId, message);
    if (this.#messages.size > KEPT) this.#messages.delete(this.#messages.keys().next().value!);
    const waiting = this.#waiting.get(message.messageId);
    if (waiting) {
      this.#waiting.delete(message.messageId);
      for (const resolve of waiting) resolve(message);
    }
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
