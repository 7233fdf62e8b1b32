/**
 * The messages of one room as `<roomkey-room>` holds them: oldest first, one entry per row key
 * (the message id, or a "Sending…" row's draft id; a later copy replaces the earlier one in place), with the count of held messages and their key
 * versions kept without a rescan per live message. Internal.
 * @example const list = new MessageList(); list.upsert(message); list.held().count;
 */
import { messageKey } from '../core/client/chat-message.ts';
import type { ChatMessage } from './client/types.ts';

/** How many messages wait for an epoch key, and which key versions they wait for (ascending). */
export interface HeldSummary {
  count: number;
  epochs: number[];
}

export class MessageList {
  #messages: ChatMessage[] = [];
  /** Row keys in order (see messageKey). */
  #keys: string[] = [];
  readonly #index = new Map<string, number>();
  /** `count < 0`: stale, recounted on the next `held()`. */
  #held: HeldSummary = { count: 0, epochs: [] };

  get messages(): readonly ChatMessage[] {
    return this.#messages;
  }

  /** The ids, in order: the keys of the history's rows. */
  get keys(): readonly string[] {
    return this.#keys;
  }

  get length(): number {
    return this.#messages.length;
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  /** The row with this key, if any. */
  get(key: string): ChatMessage | undefined {
    const at = this.#index.get(key);
    return at === undefined ? undefined : this.#messages[at];
  }

  /** Where the row with this key is (-1 when absent). */
  indexOf(key: string): number {
    return this.#index.get(key) ?? -1;
  }

  /** Replaces everything with `list` (a later copy of a key wins, in the place of the first). */
  reset(list: readonly ChatMessage[]): void {
    this.#messages = [];
    this.#keys = [];
    this.#index.clear();
    this.#held = { count: 0, epochs: [] }; // right for no messages; a held one below marks it stale
    for (const message of list) this.upsert(message);
  }

  /** Adds `message` at the end, or replaces the one with its id in place; true when it was new. */
  upsert(message: ChatMessage): boolean {
    const key = messageKey(message);
    const at = this.#index.get(key);
    const old = at === undefined ? undefined : this.#messages[at];
    if (at !== undefined) {
      this.#messages[at] = message;
    } else {
      this.#index.set(key, this.#messages.length);
      this.#messages.push(message);
      this.#keys.push(key);
    }
    // Only a held message (before or after) changes the held summary: no rescan per live message.
    if (old?.status === 'held' || message.status === 'held') this.#held = { count: -1, epochs: [] };
    return at === undefined;
  }

  /** Removes the row with this key; true when there was one. */
  drop(key: string): boolean {
    const at = this.#index.get(key);
    if (at === undefined) return false;
    const [old] = this.#messages.splice(at, 1);
    this.#keys.splice(at, 1);
    this.#index.delete(key);
    for (let i = at; i < this.#keys.length; i++) this.#index.set(this.#keys[i]!, i);
    if (old?.status === 'held') this.#held = { count: -1, epochs: [] };
    return true;
  }

  held(): HeldSummary {
    if (this.#held.count < 0) {
      const epochs = new Set<number>();
      let count = 0;
      for (const message of this.#messages) {
        if (message.status !== 'held') continue;
        count++;
        epochs.add(message.epoch);
      }
      this.#held = { count, epochs: [...epochs].sort((a, b) => a - b) };
    }
    return this.#held;
  }
}
