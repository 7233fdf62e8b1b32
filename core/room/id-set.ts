/**
 * A compact set of 16-byte message ids in acceptance order: the ids sit back to back in 16 KiB
 * blocks (append-only, so a saved prefix never changes) and an open-addressing table of 32-bit
 * positions finds them. About 16 + 4/load ≈ 22–27 bytes per id, against ~150 for a Map of hex
 * strings.
 * @example const ids = new IdSet(); if (!ids.add(id)) refuse();
 */
import { randomBytes } from '../crypto/index.ts';
import { MalformedError } from '../errors.ts';

/** Bytes in one message id (MESSAGE_ID_BYTES of the envelope). */
export const ID_BYTES = 16;
/** Ids per storage block: 16 KiB, so growing never copies what is already held. */
const BLOCK_IDS = 1024;
const MIN_SLOTS = 64;

export class IdSet {
  readonly #blocks: Uint8Array[] = [];
  #size = 0;
  /** Position + 1 of each id (0 = empty slot); length is a power of two. */
  #slots = new Uint32Array(MIN_SLOTS);
  /**
   * Ids are chosen by senders (hostile input): a per-set random seed keeps anyone from choosing
   * ids that all land in one probe chain. A collision costs time, never a wrong answer.
   */
  readonly #seed = new DataView(randomBytes(4).buffer).getUint32(0);

  /** Ids concatenated (16 bytes each), as `slice()` returns them; MalformedError for bad lengths. */
  static from(concatenated: Uint8Array): IdSet {
    if (concatenated.length % ID_BYTES !== 0) {
      throw new MalformedError(
        `message ids: ${concatenated.length} bytes is not a whole number of 16-byte ids`,
      );
    }
    const set = new IdSet();
    for (let at = 0; at < concatenated.length; at += ID_BYTES)
      set.add(concatenated.subarray(at, at + ID_BYTES));
    return set;
  }

  get size(): number {
    return this.#size;
  }

  has(id: Uint8Array): boolean {
    return id.length === ID_BYTES && this.#find(id) >= 0;
  }

  /** Adds `id` (16 bytes, copied); false when it was already there. */
  add(id: Uint8Array): boolean {
    if (id.length !== ID_BYTES) throw new MalformedError('message id: must be 16 bytes');
    const slot = this.#find(id);
    if (slot >= 0) return false;
    const at = this.#size;
    const block = at % BLOCK_IDS === 0 ? this.#newBlock() : this.#blocks.at(-1)!;
    block.set(id, (at % BLOCK_IDS) * ID_BYTES);
    this.#size++;
    this.#slots[~slot] = at + 1;
    if (this.#size * 4 > this.#slots.length * 3) this.#grow();
    return true;
  }

  /** Ids `from` to `to` (positions in acceptance order) concatenated, as a new array. */
  slice(from = 0, to = this.#size): Uint8Array {
    const end = Math.min(to, this.#size);
    const out = new Uint8Array(Math.max(0, end - from) * ID_BYTES);
    for (let at = from, o = 0; at < end; ) {
      const inBlock = at % BLOCK_IDS;
      const n = Math.min(BLOCK_IDS - inBlock, end - at);
      out.set(
        this.#blocks[Math.floor(at / BLOCK_IDS)]!.subarray(inBlock * ID_BYTES, (inBlock + n) * ID_BYTES),
        o,
      );
      at += n;
      o += n * ID_BYTES;
    }
    return out;
  }

  /** Bytes held (blocks and table), for measurements. */
  get bytes(): number {
    return this.#blocks.length * BLOCK_IDS * ID_BYTES + this.#slots.byteLength;
  }

  #newBlock(): Uint8Array {
    const block = new Uint8Array(BLOCK_IDS * ID_BYTES);
    this.#blocks.push(block);
    return block;
  }

  /** The slot holding `id` (≥ 0), or ~slot of the empty slot where it would go. */
  #find(id: Uint8Array): number {
    const mask = this.#slots.length - 1;
    for (let slot = this.#hash(id, 0) & mask; ; slot = (slot + 1) & mask) {
      const held = this.#slots[slot]!;
      if (held === 0) return ~slot;
      if (this.#equalsAt(held - 1, id)) return slot;
    }
  }

  #equalsAt(at: number, id: Uint8Array): boolean {
    const block = this.#blocks[Math.floor(at / BLOCK_IDS)]!;
    const base = (at % BLOCK_IDS) * ID_BYTES;
    for (let i = 0; i < ID_BYTES; i++) if (block[base + i] !== id[i]) return false;
    return true;
  }

  /** Keyed 32-bit mix of all 16 bytes (murmur3's finalizer per word). */
  #hash(bytes: Uint8Array, offset: number): number {
    let h = this.#seed;
    for (let i = offset; i < offset + ID_BYTES; i += 4) {
      const word = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
      h = Math.imul(h ^ word, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
    }
    return h >>> 0;
  }

  #grow(): void {
    const slots = new Uint32Array(this.#slots.length * 2);
    const mask = slots.length - 1;
    for (let at = 0; at < this.#size; at++) {
      const block = this.#blocks[Math.floor(at / BLOCK_IDS)]!;
      let slot = this.#hash(block, (at % BLOCK_IDS) * ID_BYTES) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = at + 1;
    }
    this.#slots = slots;
  }
}
