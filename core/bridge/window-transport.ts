/**
 * The page's side of the window bridge: posts request envelopes to this window (the extension's
 * content script listens there) and accepts only replies posted on this same window, in the reply
 * envelope, that `readReply` accepts.
 * @example const client = new BridgeClient(new WindowTransport(window));
 */
import type { BridgeTransport } from './bridge-client.ts';
import { BRIDGE_CHANNEL, BRIDGE_VERSION, type BridgeReply, type RequestEnvelope } from './schema.ts';
import { readReply } from './validate.ts';

export class WindowTransport implements BridgeTransport {
  readonly #window: Window;

  constructor(win: Window = window) {
    this.#window = win;
  }

  send(envelope: RequestEnvelope): void {
    this.#window.postMessage(envelope, this.#window.location.origin);
  }

  listen(receiver: (reply: BridgeReply) => void): () => void {
    const onMessage = (event: MessageEvent): void => {
      if (event.source !== this.#window) return;
      const data = event.data as Record<string, unknown> | null;
      if (typeof data !== 'object' || data === null) return;
      if (
        data['channel'] !== BRIDGE_CHANNEL ||
        data['from'] !== 'extension' ||
        data['version'] !== BRIDGE_VERSION
      )
        return;
      const reply = readReply(data);
      if (reply) receiver(reply);
    };
    this.#window.addEventListener('message', onMessage);
    return () => this.#window.removeEventListener('message', onMessage);
  }
}
