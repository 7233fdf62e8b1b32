/**
 * The bridge transport of the extension's own pages (popup, approval window, sealed room): a
 * runtime port straight to the background, no host page in between. If the background restarts
 * (an MV3 worker does), the port is opened again and the page's frame state sent again; requests
 * that were in flight are answered with UnavailableError (the client retries what it needs).
 * @example const client = new BridgeClient(new PortTransport(() => browser.runtime.connect({ name: PAGE_PORT })));
 */
import type { BridgeMethod, BridgeReply } from '../../components/client/bridge-protocol.ts';
import { fromWireError, toWireError } from '../../components/client/bridge-protocol.ts';
import type { BridgeTransport } from '../../components/client/extension-client.ts';
import { UnavailableError } from '../../core/errors.ts';
import type { PortLike } from './hub.ts';
import type { AdminCommand, AdminCommands, FrameState, ToBackground } from './messages.ts';

export class PortTransport implements BridgeTransport {
  readonly #connect: () => PortLike;
  #port: PortLike | undefined;
  #receiver: (reply: BridgeReply) => void = () => undefined;
  readonly #inflight = new Set<string>();
  #state: FrameState | undefined;
  readonly #admins = new Map<string, { resolve(value: unknown): void; reject(error: unknown): void }>();
  #next = 0;

  constructor(connect: () => PortLike) {
    this.#connect = connect;
  }

  send(request: { id: string; method: BridgeMethod; params: unknown }): void {
    this.#inflight.add(request.id);
    this.#ensure().postMessage({ type: 'request', ...request } satisfies ToBackground);
  }

  /**
   * An admin command (popup, approval window only; the background refuses it from anywhere else).
   * @example const sites = await transport.admin('sites', {});
   */
  admin<C extends AdminCommand>(
    command: C,
    args: AdminCommands[C]['args'],
  ): Promise<AdminCommands[C]['result']> {
    const id = `admin-${++this.#next}`;
    return new Promise((resolve, reject) => {
      this.#admins.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#inflight.add(id);
      this.#ensure().postMessage({ type: 'admin', id, command, args } satisfies ToBackground);
    });
  }

  /** Reports this page's frame state (visibility, focused room), now and after each reconnect. */
  frame(state: FrameState): void {
    this.#state = { ...state };
    this.#ensure().postMessage({ type: 'frame', state: this.#state } satisfies ToBackground);
  }

  listen(receiver: (reply: BridgeReply) => void): () => void {
    this.#receiver = receiver;
    return () => {
      this.#receiver = () => undefined;
      this.#port?.disconnect();
      this.#port = undefined;
    };
  }

  #ensure(): PortLike {
    if (this.#port) return this.#port;
    const port = this.#connect();
    port.onMessage.addListener((raw) => {
      const reply = raw as BridgeReply;
      if (reply.kind === 'result' || reply.kind === 'error') {
        this.#inflight.delete(reply.id);
        const admin = this.#admins.get(reply.id);
        if (admin) {
          this.#admins.delete(reply.id);
          if (reply.kind === 'result') admin.resolve(reply.result);
          else admin.reject(fromWireError(reply.error));
          return;
        }
      }
      this.#receiver(reply);
    });
    port.onDisconnect.addListener(() => {
      this.#port = undefined;
      const error = new UnavailableError('The RoomKey background restarted: try again.');
      for (const id of this.#inflight) {
        const admin = this.#admins.get(id);
        if (admin) admin.reject(error);
        else this.#receiver({ kind: 'error', id, error: toWireError(error) });
      }
      this.#admins.clear();
      this.#inflight.clear();
      // Stay registered (events, presence) if this page had told the background about itself.
      if (this.#state) setTimeout(() => this.#state && this.frame(this.#state), 100);
    });
    this.#port = port;
    return port;
  }
}
