/**
 * The message ids this device sent lately in a room (their live echoes are skipped), kept as bytes
 * in two generations of core/room's IdSet (~22–27 B an id, against ~80 for a hex string in a Set):
 * when the newer one holds `generation` ids, the older is dropped and a new one begun, so between
 * `generation` and twice that many of the latest ids are remembered. Membership is exact.
 * @example const sent = new SentIds(4096); sent.remember(id); sent.has(id);
 */
import { fromHex } from '../bytes.ts';
import { ID_BYTES, IdSet } from '../room/index.ts';

export class SentIds {
  readonly #generation: number;
  #newer = new IdSet();
  #older = new IdSet();

  constructor(generation: number) {
    this.#generation = generation;
  }

  /** Whether `id` (16 bytes, or their hex) is among those remembered. */
  has(id: Uint8Array | string): boolean {
    const bytes = typeof id === 'string' ? bytesOf(id) : id;
    return bytes !== undefined && (this.#newer.has(bytes) || this.#older.has(bytes));
  }

  /**
   * Remembers `id` among the newest; true when that dropped the oldest generation (callers drop
   * what they kept beside those ids: see `has`).
   * @example if (sent.remember(id)) forgetOthers();
   */
  remember(id: Uint8Array | string): boolean {
    const bytes = typeof id === 'string' ? bytesOf(id) : id;
    if (bytes === undefined) return false;
    this.#newer.add(bytes);
    if (this.#newer.size < this.#generation) return false;
    this.#older = this.#newer;
    this.#newer = new IdSet();
    return true;
  }
}

function bytesOf(hex: string): Uint8Array | undefined {
  if (hex.length !== ID_BYTES * 2) return undefined;
  try {
    return fromHex(hex);
  } catch {
    return undefined;
  }
}
