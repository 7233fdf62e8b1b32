/**
 * Remembers accepted message ids of one room so a replayed envelope is refused. Ids are random
 * 16-byte values; the set is kept in the room snapshot so it survives restarts.
 * @example if (!guard.accept(id)) throw new ReplayError('seen before');
 */
import { toHex } from '../bytes.ts';

export class ReplayGuard {
  #seen = new Set<string>();

  constructor(ids: Iterable<Uint8Array> = []) {
    for (const id of ids) this.#seen.add(toHex(id));
  }

  has(messageId: Uint8Array): boolean {
    return this.#seen.has(toHex(messageId));
  }

  /** Records the id; false when it was already recorded. */
  accept(messageId: Uint8Array): boolean {
    const key = toHex(messageId);
    if (this.#seen.has(key)) return false;
    this.#seen.add(key);
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  ids(): Uint8Array[] {
    return [...this.#seen].map((hex) =>
      Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16)),
    );
  }
}
