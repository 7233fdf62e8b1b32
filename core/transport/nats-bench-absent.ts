/**
 * Stands in for @nats-io/nats-core's lib/bench.js in browser bundles (scripts/browser-aliases.ts):
 * nats-core is CommonJS, so its index keeps the throughput benchmark (6 KiB) that no client runs.
 * @example new Bench() // UnsupportedError
 */
import { UnsupportedError } from '../errors.ts';

const WHY = "nats.js's Bench is left out of RoomKey's browser bundles: run it from Node.";

export class Bench {
  constructor() {
    throw new UnsupportedError(WHY);
  }
}

export class Metric {
  constructor() {
    throw new UnsupportedError(WHY);
  }
}
