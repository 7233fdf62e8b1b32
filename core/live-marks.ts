/**
 * Stamps of one live message's path (issue 19's latency breakdown), taken only when a bench asked
 * for them by putting an array at `globalThis.roomkeyLiveMarks`; otherwise each call is one
 * property read. A stamp is a stage name and `performance.now()`: no content, no ids, no room.
 * @example liveMark('received'); // bench: globalThis.roomkeyLiveMarks = []; … pairs of [stage, ms]
 */

/** The stages, in path order: sender (send, encrypted, acked), receiver (in … rendered). */
export type LiveStage =
  | 'send'
  | 'encrypted'
  | 'acked'
  | 'in'
  | 'queued'
  | 'opened'
  | 'delivered'
  | 'state'
  | 'rendered';

/**
 * Records `stage` with the time now when a bench collects stamps.
 * @example liveMark('opened');
 */
export function liveMark(stage: LiveStage): void {
  const sink = (globalThis as { roomkeyLiveMarks?: unknown }).roomkeyLiveMarks;
  if (Array.isArray(sink)) sink.push(stage, performance.now());
}
