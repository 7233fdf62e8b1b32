// Issue 19's latency breakdown: where one live message's time goes between Alice's send() in Node
// and the row the bench's MutationObserver sees in Bob's page, from the stamps core/live-marks.ts
// takes when `globalThis.roomkeyLiveMarks` is an array (in Node for the sender, in the page for
// the receiver). Both clocks are epoch ms (timeOrigin + now): the machine's one clock.
import type { Page } from 'playwright-core';
import { percentile } from './_raw-render.ts';

type Stamps = Map<string, number>;

const SENDER = ['send', 'encrypted', 'acked'];
const RECEIVER = ['in', 'queued', 'opened', 'delivered', 'state', 'rendered'];

/** The segments reported, each from one stage to the next (`observed`: the bench's stamp). */
const SEGMENTS: [string, string, string][] = [
  ['send', 'encrypted', 'sender: sign + seal'],
  ['encrypted', 'in', 'publish → JetStream store → consumer → page reader'],
  ['encrypted', 'acked', '(sender: publish → ack, in parallel)'],
  ['in', 'queued', 'reader → room queue turn'],
  ['queued', 'opened', 'verify + open + decode (receiveMany)'],
  ['opened', 'delivered', 'to ChatMessage (sender name)'],
  ['delivered', 'state', 'session → client events → <roomkey-room>'],
  ['state', 'rendered', 'Lit update scheduled + rendered'],
  ['rendered', 'observed', 'after render (measure rows, scroll) → observed'],
];

/**
 * Collects stamps per sample: call `begin()` before a send and `end(observedAt)` after the row was
 * seen; `report()` prints the p50 of each segment.
 * @example const b = new LiveBreakdown(page); await b.begin(); …; await b.end(at); b.report(report, 'pwa');
 */
export class LiveBreakdown {
  readonly #page: Page;
  readonly #samples: Stamps[] = [];

  constructor(page: Page) {
    this.#page = page;
  }

  async begin(): Promise<void> {
    marks().length = 0;
    await this.#page.evaluate(() => {
      (globalThis as unknown as { roomkeyLiveMarks: unknown[] }).roomkeyLiveMarks = [];
    });
  }

  async end(observedAt: number): Promise<void> {
    const stamps: Stamps = new Map();
    // Alice's own room handle stamps its echo too: only her sender stages count.
    first(stamps, marks(), performance.timeOrigin, SENDER);
    const page = await this.#page.evaluate(() => ({
      origin: performance.timeOrigin,
      marks: (globalThis as unknown as { roomkeyLiveMarks: unknown[] }).roomkeyLiveMarks,
    }));
    first(stamps, page.marks, page.origin, RECEIVER);
    stamps.set('observed', observedAt);
    this.#samples.push(stamps);
  }

  /** Prints `<prefix>-live-<from>-<to>-p50` for each segment seen in every sample. */
  report(report: (name: string, value: number, unit: string) => void, prefix: string): void {
    for (const [from, to, what] of SEGMENTS) {
      const values = this.#samples
        .map((s) => (s.get(to) ?? Number.NaN) - (s.get(from) ?? Number.NaN))
        .filter((v) => Number.isFinite(v));
      if (values.length === 0) continue;
      report(
        `${prefix}-live-${from}-${to}-p50`,
        percentile(values, 50),
        `ms (${what}; ${values.length} samples)`,
      );
    }
  }
}

function marks(): unknown[] {
  const g = globalThis as unknown as { roomkeyLiveMarks?: unknown[] };
  g.roomkeyLiveMarks ??= [];
  return g.roomkeyLiveMarks;
}

/** Keeps the first stamp of each stage (epoch ms). */
function first(into: Stamps, pairs: unknown[], origin: number, stages: readonly string[]): void {
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const stage = String(pairs[i]);
    if (!stages.includes(stage)) continue;
    // A render counts once the message reached the element (other updates may come first).
    if (stage === 'rendered' && !into.has('state')) continue;
    if (!into.has(stage)) into.set(stage, origin + Number(pairs[i + 1]));
  }
}
