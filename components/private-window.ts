/**
 * Windowing for long lists whose rows vary in height: rows not measured yet count as `estimate`
 * pixels; measured heights are kept by row key. `range()` says which slice to render for a scroll
 * position, and how tall the spacers before and after it are. Internal.
 * @example const r = rows.range(scroller.scrollTop, scroller.clientHeight, 10);
 */

export interface WindowRange {
  /** First rendered index. */
  start: number;
  /** One past the last rendered index. */
  end: number;
  /** Height of everything before `start`, px. */
  before: number;
  /** Height of everything from `end` on, px. */
  after: number;
}

export class MeasuredRows {
  readonly estimate: number;
  #keys: readonly string[] = [];
  readonly #heights = new Map<string, number>();
  /** offsets[i] = top of row i; offsets[n] = total height. Rebuilt lazily. */
  #offsets = new Float64Array(1);
  #dirty = true;

  constructor(estimate = 56) {
    this.estimate = estimate;
  }

  get count(): number {
    return this.#keys.length;
  }

  /** Sets the rows, in order. Measured heights of keys still present are kept. */
  setKeys(keys: readonly string[]): void {
    this.#keys = keys;
    this.#dirty = true;
  }

  /** Records a row's measured height; true when it changed what was known. */
  measure(key: string, height: number): boolean {
    const old = this.#heights.get(key);
    if (old !== undefined && Math.abs(old - height) < 0.5) return false;
    this.#heights.set(key, height);
    this.#dirty = true;
    return true;
  }

  /** Forgets measured heights (e.g. after the width changed). */
  reset(): void {
    this.#heights.clear();
    this.#dirty = true;
  }

  get totalHeight(): number {
    return this.#offsetsNow()[this.#keys.length] ?? 0;
  }

  /** Top of row `index` (clamped to 0…count), px. */
  offsetOf(index: number): number {
    const offsets = this.#offsetsNow();
    return offsets[Math.max(0, Math.min(index, this.#keys.length))] ?? 0;
  }

  /** The rows visible at `scrollTop` in a viewport `viewport` px tall, plus `overscan` rows each side. */
  range(scrollTop: number, viewport: number, overscan: number): WindowRange {
    const n = this.#keys.length;
    if (n === 0) return { start: 0, end: 0, before: 0, after: 0 };
    const offsets = this.#offsetsNow();
    const total = offsets[n] ?? 0;
    const top = Math.max(0, Math.min(scrollTop, total));
    const first = this.#indexAt(top);
    const last = this.#indexAt(Math.min(total, top + Math.max(viewport, 0)));
    const start = Math.max(0, first - overscan);
    const end = Math.min(n, last + 1 + overscan);
    return { start, end, before: offsets[start] ?? 0, after: total - (offsets[end] ?? total) };
  }

  /** Index of the row that contains vertical position `y`. */
  #indexAt(y: number): number {
    const offsets = this.#offsetsNow();
    let lo = 0;
    let hi = this.#keys.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((offsets[mid] ?? 0) <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  #offsetsNow(): Float64Array {
    if (!this.#dirty) return this.#offsets;
    const n = this.#keys.length;
    if (this.#offsets.length !== n + 1) this.#offsets = new Float64Array(n + 1);
    let y = 0;
    for (let i = 0; i < n; i++) {
      this.#offsets[i] = y;
      y += this.#heights.get(this.#keys[i] as string) ?? this.estimate;
    }
    this.#offsets[n] = y;
    this.#dirty = false;
    return this.#offsets;
  }
}
