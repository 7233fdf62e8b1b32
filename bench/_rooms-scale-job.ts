// Helper of rooms-scale.bench.ts (not a bench): what the main thread asks of
// _rooms-scale-worker.ts and gets back. Its own file so that the main thread does not load the
// worker's TCP transport (nats.js keeps one transport per realm).

export interface CreateJob {
  dir: string;
  servers: string[];
  count: number;
  inFlight: number;
  replicas: number;
  budgetMs: number;
  /** Genesis and first envelope only, no KV index. */
  streamsOnly?: boolean;
}

export interface CreateResult {
  done: number;
  perSecond: number;
  /** When creating began and ended (ms since the epoch, performance.timeOrigin based). */
  startedAt: number;
  endedAt: number;
  sample: { roomId: string; stream: string }[];
}

export const GENESIS_BYTES = 700;
export const ENVELOPE_BYTES = 256;
