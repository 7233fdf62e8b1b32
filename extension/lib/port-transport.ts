/**
 * The bridge transport of the extension's own pages (popup, approval window, sign-in window, room
 * pages): core/bridge's PortLink straight to the background, no host page in between, under the
 * same reconnect policy as the content script (requests safe to repeat are sent again after a
 * background restart, the others and admin commands fail with UnavailableError; a registered page
 * is brought back at once with its frame state). Adds the admin commands of the popup and the
 * approval window.
 * @example const client = new BridgeClient(new PortTransport(() => browser.runtime.connect({ name: PAGE_PORT })));
 */
import {
  type BridgePort,
  type BridgeReply,
  type BridgeTransport,
  type FrameState,
  fromWireError,
  PortLink,
  type RequestEnvelope,
} from '../../core/bridge/index.ts';
import { UnavailableError } from '../../core/errors.ts';
import type { AdminCommand, AdminCommands, AdminMessage } from './messages.ts';

export class PortTransport implements BridgeTransport {
  readonly #link: PortLink;
  #receiver: (reply: BridgeReply) => void = () => undefined;
  readonly #admins = new Map<string, { resolve(value: unknown): void; reject(error: unknown): void }>();
  #next = 0;

  constructor(connect: () => BridgePort) {
    this.#link = new PortLink({ connect, onReply: (reply) => this.#deliver(reply) });
  }

  send(envelope: RequestEnvelope): void {
    if (!this.#link.send(envelope)) throw new UnavailableError('The RoomKey background is not reachable.');
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
      const message: AdminMessage = { type: 'admin', id, command, args };
      if (!this.#link.sendOnce(id, message)) {
        this.#admins.delete(id);
        reject(new UnavailableError('The RoomKey background is not reachable.'));
      }
    });
  }

  /**
   * Reports this page's frame state (visibility, registration, focused room), now and after each
   * reconnect.
   * @example transport.frame({ visible: true, connected: true, focusedRoom: roomId });
   */
  frame(state: FrameState): void {
    this.#link.report(state, { openPort: true });
  }

  listen(receiver: (reply: BridgeReply) => void): () => void {
    this.#receiver = receiver;
    return () => {
      this.#receiver = () => undefined;
      this.#link.close();
    };
  }

  #deliver(reply: BridgeReply): void {
    if (reply.kind === 'result' || reply.kind === 'error') {
      const admin = this.#admins.get(reply.id);
      if (admin) {
        this.#admins.delete(reply.id);
        if (reply.kind === 'result') admin.resolve(reply.result);
        else admin.reject(fromWireError(reply.error));
        return;
      }
    }
    this.#receiver(reply);
  }
}
