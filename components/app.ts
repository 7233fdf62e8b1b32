import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { ClientController } from './client/client-controller.ts';
import type { RoomKeyClient } from './client/types.ts';
import type { RoomSelectDetail } from './events.ts';
import { base } from './private-styles.ts';

/**
 * A whole chat in one element: `<roomkey-sign-in>` and `<roomkey-rooms>` in a side column, the
 * picked room in `<roomkey-room>` beside them; no script needed. It fills the box it is given (give
 * it a height, e.g. `height: 100vh`); on a narrow box (a phone) it shows the list or the open room,
 * with a "Rooms" button to go back. Every event of the inner elements bubbles out of it.
 *
 * @tagname roomkey-app
 * @summary Sign-in, rooms and the open room, composed.
 *
 * @attr {string} room-id - The open room (reflected: follows the user's pick; set it to open one, e.g. from a link).
 *
 * @fires {CustomEvent<RoomSelectDetail>} roomkey-room-select - The user picked a room (from `<roomkey-rooms>`, bubbling out).
 *
 * @csspart sidebar - The column with the account and the room list.
 * @csspart main - The area holding the open room.
 * @csspart back - The "Rooms" button shown above a room on a narrow box.
 * @csspart sign-in - The inner `<roomkey-sign-in>`.
 * @csspart rooms - The inner `<roomkey-rooms>`.
 * @csspart room - The inner `<roomkey-room>`.
 *
 * @cssprop --roomkey-app-sidebar-width - Width of the side column (default `clamp(14rem, 30%, 22rem)`).
 * @cssprop --roomkey-background - Background color (inherited by the inner elements, as every `--roomkey-*` property).
 * @cssprop --roomkey-border-color - The line between the side column and the room.
 */
export class RoomKeyApp extends LitElement {
  static override properties = {
    client: { attribute: false },
    roomId: { attribute: 'room-id', reflect: true },
  };

  static override styles = [
    base,
    css`
      :host {
        display: block;
        height: 100%;
        min-height: 20rem;
        container-type: inline-size;
      }
      .app {
        height: 100%;
        display: grid;
        grid-template-columns: var(--roomkey-app-sidebar-width, clamp(14rem, 30%, 22rem)) minmax(0, 1fr);
        grid-template-rows: minmax(0, 1fr);
      }
      .sidebar {
        min-height: 0;
        overflow-y: auto;
        display: flex;
        flex-direction: column;
        gap: 1em;
        padding: 0.75em;
        border-inline-end: 1px solid var(--roomkey-border-color, #6b6f76);
      }
      .main {
        min-width: 0;
        min-height: 0;
        display: flex;
        flex-direction: column;
        gap: 0.5em;
        padding: 0.75em;
      }
      roomkey-room {
        flex: 1;
        min-height: 0;
      }
      .back {
        display: none;
        align-self: flex-start;
      }
      /* Narrower than this, the list or one room, not both side by side. */
      @container (max-width: 40rem) {
        .app {
          grid-template-columns: minmax(0, 1fr);
        }
        .sidebar {
          border-inline-end: none;
        }
        .app[data-open] .sidebar,
        .app:not([data-open]) .main {
          display: none;
        }
        .back {
          display: inline-block;
        }
      }
    `,
  ];

  /** The client for the inner elements; when unset, the default set by `setDefaultClient()`. */
  declare client: RoomKeyClient | undefined;
  /** The open room (attribute `room-id`), or ''. */
  declare roomId: string;

  // Only to re-render when the keys change: a signed-out user sees the sign-in, not an empty room.
  readonly #clients = new ClientController(this);

  constructor() {
    super();
    this.client = undefined;
    this.roomId = '';
  }

  protected override willUpdate(_changed: PropertyValues): void {
    this.#clients.sync();
  }

  protected override render(): TemplateResult {
    const open = Boolean(this.roomId) && this.#clients.keys === 'ready';
    return html`<div class="app" ?data-open=${open}>
      <div class="sidebar" part="sidebar">
        <section aria-label="Account">
          <roomkey-sign-in part="sign-in" .client=${this.client}></roomkey-sign-in>
        </section>
        <nav aria-label="Rooms">
          <roomkey-rooms
            part="rooms"
            .client=${this.client}
            selected=${this.roomId}
            @roomkey-room-select=${this.#onSelect}
          ></roomkey-rooms>
        </nav>
      </div>
      <div class="main" part="main">
        ${
          open
            ? html`<button class="back secondary" part="back" type="button" @click=${this.#onBack}>
                <span aria-hidden="true">←</span> Rooms
              </button>`
            : nothing
        }
        <roomkey-room part="room" .client=${this.client} room-id=${this.roomId}></roomkey-room>
      </div>
    </div>`;
  }

  #onSelect = (event: CustomEvent<RoomSelectDetail>): void => {
    this.roomId = event.detail.roomId;
  };

  #onBack = async (): Promise<void> => {
    const left = this.roomId;
    this.roomId = '';
    await this.updateComplete;
    // Back on the list: focus the room the user left, not the top of the page.
    const rooms = this.renderRoot.querySelector('roomkey-rooms')?.shadowRoot;
    const entry = rooms?.querySelector<HTMLElement>(`button.room[data-room-id="${CSS.escape(left)}"]`);
    (entry ?? rooms?.querySelector<HTMLElement>('button.room'))?.focus();
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'roomkey-app': RoomKeyApp;
  }
}
