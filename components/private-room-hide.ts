/**
 * "Hide from my rooms" in the room view (`<roomkey-room>`'s header): the same preference as
 * `<roomkey-rooms>`' Hide (core/client hidden-rooms.ts, this device only, never sent to the server),
 * a button that undoes itself ("Show in my rooms"). Kept current from the client's `hidden` events;
 * clients without hidden rooms (no `setRoomHidden`) show nothing.
 * @example readonly #hide = new RoomHide(this, { client: () => this.client, roomId: () => this.roomId, onError });
 */
import {
  html,
  nothing,
  type ReactiveController,
  type ReactiveControllerHost,
  type TemplateResult,
} from 'lit';
import type { RoomKeyClient, RoomKeyClientEvents } from './client/types.ts';

export interface RoomHideSource {
  client(): RoomKeyClient | undefined;
  roomId(): string;
  /** Whether the room is open and readable (nothing to hide before). */
  ready(): boolean;
  onError(error: unknown): void;
}

/**
 * The room view's Hide toggle (see the top of this file).
 * @example html`${this.#hide.render()}`
 */
export class RoomHide implements ReactiveController {
  readonly #host: ReactiveControllerHost;
  readonly #source: RoomHideSource;
  #client: RoomKeyClient | undefined;
  #hidden = new Set<string>();
  #busy = false;

  constructor(host: ReactiveControllerHost, source: RoomHideSource) {
    this.#host = host;
    this.#source = source;
    host.addController(this);
  }

  hostUpdate(): void {
    this.#follow(this.#source.client());
  }

  hostDisconnected(): void {
    this.#follow(undefined);
  }

  render(): TemplateResult | typeof nothing {
    const roomId = this.#source.roomId();
    if (!this.#client?.setRoomHidden || !roomId || !this.#source.ready()) return nothing;
    const hidden = this.#hidden.has(roomId);
    return html`<button part="hide-room" class="secondary hide-room" type="button" data-hidden=${hidden ? 'true' : 'false'}
        ?disabled=${this.#busy} @click=${() => this.#toggle(roomId, !hidden)}>
        ${hidden ? 'Show in my rooms' : 'Hide from my rooms'}
      </button>`;
  }

  #follow(client: RoomKeyClient | undefined): void {
    if (client === this.#client) return;
    this.#client?.removeEventListener('hidden', this.#onHidden);
    this.#client?.removeEventListener('keys', this.#read);
    this.#client = client;
    this.#hidden = new Set();
    client?.addEventListener('hidden', this.#onHidden);
    client?.addEventListener('keys', this.#read);
    this.#read();
  }

  /** Reads the hidden rooms once the client is ready (again after an unlock). */
  #read = (): void => {
    const client = this.#client;
    if (client?.keys !== 'ready' || !client.hiddenRooms) return;
    void client
      .hiddenRooms()
      .then((ids) => {
        if (client === this.#client) this.#set(ids);
      })
      .catch(() => undefined);
  };

  #onHidden = (event: Event): void => {
    this.#set((event as CustomEvent<RoomKeyClientEvents['hidden']>).detail.roomIds);
  };

  #set(ids: readonly string[]): void {
    this.#hidden = new Set(ids);
    this.#host.requestUpdate();
  }

  async #toggle(roomId: string, hidden: boolean): Promise<void> {
    const client = this.#client;
    if (!client?.setRoomHidden || this.#busy) return;
    this.#busy = true;
    this.#host.requestUpdate();
    try {
      this.#set(await client.setRoomHidden(roomId, hidden));
    } catch (error) {
      this.#source.onError(error);
    } finally {
      this.#busy = false;
      this.#host.requestUpdate();
    }
  }
}
