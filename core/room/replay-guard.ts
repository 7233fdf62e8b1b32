/**
 * Remembers accepted message ids of one room so a replayed envelope is refused. Ids are random
 * 16-byte values; the set is kept in the room snapshot so it survives restarts.
 * @example if (!guard.accept(id)) throw new ReplayError('seen before');
 */
import { toHex } from '../bytes.ts';

export class ReplayGuard {
  /** Hex id → a private copy of the id bytes, so `ids()` (every snapshot save) rebuilds nothing. */
  #seen = new Map<string, Uint8Array>();

  constructor(ids: Iterable<Uint8Array> = []) {
    for (const id of ids) this.accept(id);
  }

  has(messageId: Uint8Array): boolean {
    return this.#seen.has(toHex(messageId));
  }

  /** Records the id; false when it was already recorded. */
  accept(messageId: Uint8Array): boolean {
    const key = toHex(messageId);
    if (this.#seen.has(key)) return false;
    // A plain copy: decoded ids may be views into a larger buffer (or Node Buffers).
    this.#seen.set(key, new Uint8Array(messageId));
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** The recorded ids in acceptance order; the arrays are the guard's own: do not modify them. */
  ids(): Uint8Array[] {
    return [...this.#seen.values()];
  }
}
