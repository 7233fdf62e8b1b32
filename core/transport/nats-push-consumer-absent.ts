/**
 * Stands in for @nats-io/jetstream's lib/pushconsumer.js in browser bundles
 * (scripts/browser-aliases.ts): jetstream is CommonJS, so its stream API keeps push consumers
 * (6 KiB) although RoomKey reads JetStream through the pull consumers the gateway makes.
 * @example new PushConsumerImpl() // UnsupportedError
 */
import { UnsupportedError } from '../errors.ts';

const WHY =
  'RoomKey reads JetStream with pull consumers only: push consumers are left out of its browser bundles.';

export class PushConsumerImpl {
  constructor() {
    throw new UnsupportedError(WHY);
  }
}

export class PushConsumerMessagesImpl {
  constructor() {
    throw new UnsupportedError(WHY);
  }
}
