/**
 * The resolver's memory: answers kept until their TTL runs out, bounded in number (the oldest
 * entry leaves first). TTLs are clamped to a floor, so a TTL of 0 cannot turn every connection
 * into a query, and to a ceiling, so a lie or a stale answer does not last for days.
 * @example const cache = new AnswerCache<string[]>(256); cache.set('gw.example|A', ['192.0.2.1'], now + 60_000);
 */

/** The TTL bounds, in seconds, for answers (`min`/`max`) and for NXDOMAIN/NODATA (`negative*`). */
export interface TtlBounds {
  minS: number;
  maxS: number;
  /** Used when a negative answer carries no SOA for the name's zone. */
  negativeDefaultS: number;
  negativeMaxS: number;
}

export const DEFAULT_TTL_BOUNDS: Readonly<TtlBounds> = Object.freeze({
  minS: 30,
  maxS: 3600,
  negativeDefaultS: 30,
  negativeMaxS: 300,
});

/**
 * How long to keep an answer: `ttlS` within [minS, maxS] (or [minS, negativeMaxS] for negative
 * answers, `negativeDefaultS` when the answer gave none).
 * @example clampTtl(0, false, DEFAULT_TTL_BOUNDS) // 30
 */
export function clampTtl(ttlS: number | undefined, negative: boolean, bounds: TtlBounds): number {
  const max = negative ? bounds.negativeMaxS : bounds.maxS;
  const ttl = ttlS ?? (negative ? bounds.negativeDefaultS : bounds.minS);
  return Math.min(Math.max(ttl, bounds.minS), Math.max(max, bounds.minS));
}

/** A bounded map of values that expire at a given time (ms, from the caller's clock). */
export class AnswerCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAtMs: number }>();
  readonly #maxEntries: number;

  /** @example new AnswerCache<string[]>(256) */
  constructor(maxEntries: number) {
    this.#maxEntries = Math.max(1, maxEntries);
  }

  /** The live entry under `key` at time `nowMs`, or undefined (an expired one is dropped). */
  get(key: string, nowMs: number): { value: V; expiresAtMs: number } | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  set(key: string, value: V, expiresAtMs: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAtMs });
    // Map keeps insertion order: the first key is the one written longest ago.
    while (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
