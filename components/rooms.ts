import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ClientController } from './client/client-controller.ts';
import type { RoomKeyClient, RoomKeyClientEvents, RoomSummary } from './client/types.ts';
import { errorText } from './private-errors.ts';
import { emit } from './private-events.ts';
import { extensionPresent, StatusOwner } from './private-status.ts';
import { base } from './private-styles.ts';

/** Longest room name accepted by the create form. */
export const ROOM_NAME_MAX = 100;

/**
 * The signed-in user's rooms, with unread counts, and a "New room" dialog. With a client that keeps
 * hidden rooms (`setRoomHidden`: a preference on this device, never sent to the server), each room
 * has a Hide button (with Undo right after) and hidden rooms are listed apart under "Hidden rooms
 * (N)", with their unread counts and a Show button. Selecting a room fires
 * `roomkey-room-select`; with `for="<id>"` the `<roomkey-room>` of that id opens it, no script needed
 * (without `for`, the page sets `room-id` on a `<roomkey-room>` in response).
 * Arrow keys, Home and End move between rooms; Escape closes the dialog.
 *
 * @tagname roomkey-rooms
 * @summary The user's rooms; create a room.
 *
 * @attr {string} selected - The selected room's id (reflected; set it to show a selection).
 * @attr {string} for - The id of a `<roomkey-room>` (in the same document or shadow root) that opens the room picked here.
 *
 * @fires {CustomEvent<RoomSelectDetail>} roomkey-room-select - The user picked a room (`detail.roomId`, `detail.room`).
 * @fires {CustomEvent<RoomCreatedDetail>} roomkey-room-created - A room was created (it is then selected too).
 * @fires {CustomEvent<ErrorDetail>} roomkey-error - Listing or creating rooms failed; `detail.message` is the text shown.
 *
 * @csspart container - The outer section.
 * @csspart header - Title and New room button.
 * @csspart title - The heading.
 * @csspart create-button - The New room button.
 * @csspart status - The connection/key status line.
 * @csspart connection-status - Connection state in words.
 * @csspart key-status - Key state in words.
 * @csspart dns-status - With the extension: how the server's name was looked up ("DNS: private", "DNS: not private — …"; `data-private`).
 * @csspart message - Empty, loading or signed-out text.
 * @csspart error - A failed request's message (role="alert").
 * @csspart list - The list of rooms.
 * @csspart room - One room button; also `room-selected` on the selected one.
 * @csspart room-selected - The selected room button.
 * @csspart room-name - A room's name.
 * @csspart unread - A room's unread count badge.
 * @csspart room-note - "Removed" / "Not a member" note on a room.
 * @csspart hide-button - A room's Hide button (clients with hidden rooms).
 * @csspart hidden-note - "… is hidden." with Undo, right after hiding (role="status").
 * @csspart undo-hide - The Undo button of that note.
 * @csspart hidden-rooms - The "Hidden rooms (N)" disclosure (a details element).
 * @csspart hidden-list - The list of hidden rooms.
 * @csspart unhide-button - A hidden room's Show button.
 * @csspart dialog - The New room dialog.
 * @csspart input - The room name input.
 * @csspart field-error - The room name validation message.
 * @csspart submit - The dialog's Create button.
 * @csspart cancel - The dialog's Cancel button.
 *
 * @cssprop --roomkey-font - Font family.
 * @cssprop --roomkey-font-size - Base font size.
 * @cssprop --roomkey-color - Text color.
 * @cssprop --roomkey-background - Background color.
 * @cssprop --roomkey-surface - Background of the selected room.
 * @cssprop --roomkey-muted - Secondary text color.
 * @cssprop --roomkey-accent - Buttons, selection marker and unread badge.
 * @cssprop --roomkey-accent-contrast - Text on accent.
 * @cssprop --roomkey-danger - Errors.
 * @cssprop --roomkey-border-color - Borders.
 * @cssprop --roomkey-radius - Corner radius.
 * @cssprop --roomkey-focus-ring - Focus outline color.
 */
export class RoomKeyRooms extends LitElement {
  static override properties = {
    client: { attribute: false },
    selected: { reflect: true },
    htmlFor: { attribute: 'for' },
    _rooms: { state: true },
    _loading: { state: true },
    _error: { state: true },
    _creating: { state: true },
    _createError: { state: true },
    _nameError: { state: true },
    _hidden: { state: true },
    _justHidden: { state: true },
  };

  static override styles = [
    base,
    css`
      :host {
        display: block;
      }
      section {
        display: flex;
        flex-direction: column;
        gap: 0.5em;
      }
      .header {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.5em;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 2px;
      }
      .room {
        width: 100%;
        display: flex;
        align-items: center;
        gap: 0.5em;
        text-align: start;
        background: transparent;
        color: inherit;
        border: 1px solid transparent;
        border-inline-start: 4px solid transparent;
      }
      .room[aria-current='true'] {
        background: var(--roomkey-surface, #eef1f5);
        border-inline-start-color: var(--roomkey-accent, #0b57d0);
        font-weight: 600;
      }
      .room-name {
        flex: 1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .unread {
        min-width: 1.5em;
        padding: 0 0.4em;
        border-radius: 999px;
        background: var(--roomkey-accent, #0b57d0);
        color: var(--roomkey-accent-contrast, #ffffff);
        font-size: 0.8em;
        text-align: center;
        font-weight: 600;
      }
      .row {
        display: flex;
        align-items: center;
        gap: 0.25em;
      }
      .row > .room {
        flex: 1;
        min-width: 0;
      }
      .hide,
      .unhide {
        font-size: 0.8em;
        padding: 0.2em 0.6em;
      }
      details summary {
        cursor: pointer;
        color: var(--roomkey-muted, #4a4f57);
        padding: 0.25em 0;
      }
      .room-note {
        color: var(--roomkey-muted, #4a4f57);
        font-size: 0.8em;
        font-weight: normal;
      }
    `,
  ];

  /** The client to use; when unset, the default set by `setDefaultClient()`. */
  declare client: RoomKeyClient | undefined;
  /** The selected room's id, or '' for none. */
  declare selected: string;
  /** The id of the `<roomkey-room>` that shows the picked room (attribute `for`), or ''. */
  declare htmlFor: string;
  declare private _rooms: readonly RoomSummary[];
  declare private _loading: boolean;
  declare private _error: string;
  declare private _creating: boolean;
  declare private _createError: string;
  declare private _nameError: string;
  /** Rooms hidden on this device (the client's `hidden` event keeps it current). */
  declare private _hidden: ReadonlySet<string>;
  /** The room just hidden, for Undo. */
  declare private _justHidden: RoomSummary | null;

  /** Shows connection and key state unless another element of the page does. */
  readonly #status = new StatusOwner(this);
  readonly #clients = new ClientController(this, {
    events: ['rooms', 'keys', 'hidden'],
    onClient: () => this.#reload(),
    onEvent: (type, detail) => {
      if (type === 'rooms') this._rooms = detail as RoomKeyClientEvents['rooms'];
      else if (type === 'hidden') this._hidden = new Set((detail as RoomKeyClientEvents['hidden']).roomIds);
      else if (type === 'keys' || type === 'session') this.#reload();
    },
  });
  #generation = 0;

  constructor() {
    super();
    this.client = undefined;
    this.selected = '';
    this.htmlFor = '';
    this._rooms = [];
    this._loading = false;
    this._error = '';
    this._creating = false;
    this._createError = '';
    this._nameError = '';
    this._hidden = new Set();
    this._justHidden = null;
  }

  /** The rooms as last listed. */
  get rooms(): readonly RoomSummary[] {
    return this._rooms;
  }

  /** Lists the rooms again. */
  async refresh(): Promise<void> {
    const client = this.#clients.client;
    const generation = ++this.#generation;
    if (client?.keys !== 'ready') {
      this._rooms = [];
      this._loading = false;
      return;
    }
    this._loading = true;
    this._error = '';
    try {
      const [rooms, hidden] = await Promise.all([
        client.listRooms(),
        // A damaged list of hidden rooms shows every room (the client reported it).
        client.hiddenRooms?.().catch(() => []) ?? [],
      ]);
      if (generation === this.#generation) {
        this._rooms = rooms;
        this._hidden = new Set(hidden);
      }
    } catch (error) {
      if (generation !== this.#generation) return;
      this._error = errorText(error);
      emit(this, 'roomkey-error', { action: 'list-rooms', message: this._error, error });
    } finally {
      if (generation === this.#generation) this._loading = false;
    }
  }

  #reload(): void {
    void this.refresh();
  }

  protected override willUpdate(_changed: PropertyValues): void {
    this.#clients.sync();
  }

  protected override render(): TemplateResult {
    const keys = this.#clients.keys;
    const ready = keys === 'ready';
    return html`<section part="container" aria-labelledby="title">
        <div class="header" part="header">
          <h2 id="title" part="title">Rooms</h2>
          <button part="create-button" type="button" ?disabled=${!ready} @click=${this.#openCreate}>New room</button>
        </div>
        ${this.#status.line(this.#clients.connection, keys, this.#clients.failure, this.#clients.dns)}
        <p class="error" part="error" role="alert">${this._error}</p>
        ${this.#renderBody(ready)}
      </section>
      ${this.#renderDialog()}`;
  }

  #renderBody(ready: boolean): TemplateResult {
    if (!ready) {
      const text =
        this.#clients.keys === 'locked' ? 'Unlock RoomKey to see your rooms.' : 'Sign in to see your rooms.';
      return html`<p part="message" class="hint">${text}</p>`;
    }
    if (this._loading && this._rooms.length === 0) {
      return html`<p part="message" class="hint">Loading your rooms…</p>`;
    }
    // Through the extension a site sees only the rooms approved for it: "No rooms yet" would be untrue.
    const approvedOnly = extensionPresent();
    if (this._rooms.length === 0) {
      return html`<p part="message" class="hint">
        ${
          approvedOnly
            ? 'No rooms approved for this site yet. Your other RoomKey rooms stay hidden from it until you approve each one in RoomKey when the site asks. Create a room here with “New room”.'
            : 'No rooms yet. Create one with “New room”.'
        }
      </p>`;
    }
    const shown = this._rooms.filter((room) => !this._hidden.has(room.roomId));
    const hidden = this._rooms.filter((room) => this._hidden.has(room.roomId));
    return html`${
      shown.length === 0
        ? html`<p part="message" class="hint">All your rooms are hidden. They are listed under “Hidden rooms”.</p>`
        : html`<ul part="list" aria-label="Your rooms" @keydown=${this.#onListKey}>
            ${repeat(
              shown,
              (room) => room.roomId,
              (room) => this.#renderRoom(room),
            )}
          </ul>`
    }
      ${this.#renderJustHidden()} ${this.#renderHidden(hidden)}
      ${
        approvedOnly
          ? html`<p part="approval-note" class="hint">
              This site may see ${this._rooms.length === 1 ? '1 room' : `${this._rooms.length} rooms`}, the ones you
              approved for it. Your other rooms stay hidden; approve more in RoomKey when the site asks.
            </p>`
          : nothing
      }`;
  }

  #renderJustHidden(): TemplateResult | typeof nothing {
    const room = this._justHidden;
    if (!room || !this._hidden.has(room.roomId)) return nothing;
    return html`<p part="hidden-note" class="hint" role="status">
      “${room.name || 'Unnamed room'}” is hidden.
      <button part="undo-hide" class="secondary" type="button" @click=${() => this.#setHidden(room, false)}>
        Undo
      </button>
    </p>`;
  }

  /** Hidden rooms apart, with their unread counts (a hidden room still receives messages). */
  #renderHidden(hidden: readonly RoomSummary[]): TemplateResult | typeof nothing {
    if (hidden.length === 0) return nothing;
    const unread = hidden.reduce((sum, room) => sum + room.unread, 0);
    return html`<details part="hidden-rooms">
      <summary>Hidden rooms (${hidden.length})${unread > 0 ? `, ${unread} unread` : ''}</summary>
      <ul part="hidden-list" aria-label="Hidden rooms" @keydown=${this.#onListKey}>
        ${repeat(
          hidden,
          (room) => room.roomId,
          (room) => this.#renderRoom(room, true),
        )}
      </ul>
    </details>`;
  }

  #renderRoom(room: RoomSummary, hidden = false): TemplateResult {
    const selected = room.roomId === this.selected;
    const note = room.status === 'removed' ? 'Removed' : room.status === 'outside' ? 'Not a member' : '';
    const name = room.name || 'Unnamed room';
    const canHide = !!this.#clients.client?.setRoomHidden;
    return html`<li class="row">
      <button
        class="room"
        part=${selected ? 'room room-selected' : 'room'}
        type="button"
        data-room-id=${room.roomId}
        aria-current=${selected ? 'true' : 'false'}
        @click=${() => this.#select(room)}
      >
        <span class="room-name" part="room-name">${room.name || 'Unnamed room'}</span>
        ${note ? html`<span class="room-note" part="room-note">${note}</span>` : nothing}
        ${
          room.unread > 0
            ? html`<span class="unread" part="unread"
                ><span aria-hidden="true">${room.unread}</span
                ><span class="visually-hidden">, ${room.unread} unread</span></span
              >`
            : nothing
        }
      </button>
      ${
        !canHide
          ? nothing
          : hidden
            ? html`<button part="unhide-button" class="unhide secondary" type="button" aria-label=${`Show ${name} in your rooms again`}
                @click=${() => this.#setHidden(room, false)}>Show</button>`
            : html`<button part="hide-button" class="hide secondary" type="button" aria-label=${`Hide ${name}`}
                @click=${() => this.#setHidden(room, true)}>Hide</button>`
      }
    </li>`;
  }

  /** Hides a room or shows it again (this device only); focus goes where the person acts next. */
  async #setHidden(room: RoomSummary, hidden: boolean): Promise<void> {
    const client = this.#clients.client;
    if (!client?.setRoomHidden) return;
    this._error = '';
    try {
      this._hidden = new Set(await client.setRoomHidden(room.roomId, hidden));
      this._justHidden = hidden ? room : null;
      await this.updateComplete;
      const next = hidden
        ? this.renderRoot.querySelector<HTMLButtonElement>('[part~=undo-hide]')
        : this.renderRoot.querySelector<HTMLButtonElement>(
            `button.room[data-room-id="${CSS.escape(room.roomId)}"]`,
          );
      next?.focus();
    } catch (error) {
      this._error = errorText(error);
      emit(this, 'roomkey-error', {
        action: hidden ? 'hide-room' : 'show-room',
        message: this._error,
        error,
      });
    }
  }

  #renderDialog(): TemplateResult {
    return html`<dialog part="dialog" aria-labelledby="create-title" @close=${this.#onDialogClose}>
      <form novalidate aria-busy=${this._creating ? 'true' : 'false'} @submit=${this.#onCreate}>
        <h3 id="create-title">New room</h3>
        <div class="field">
          <label for="room-name">Room name</label>
          <input
            part="input"
            id="room-name"
            name="name"
            autocomplete="off"
            maxlength=${ROOM_NAME_MAX}
            required
            ?readonly=${this._creating}
            aria-invalid=${this._nameError ? 'true' : 'false'}
            aria-describedby="room-name-hint room-name-error"
            @input=${() => {
              this._nameError = '';
            }}
          />
          <p class="hint" id="room-name-hint">Only members can read it: the name is encrypted too.</p>
          <p class="field-error" part="field-error" id="room-name-error">${this._nameError}</p>
        </div>
        <p class="error" part="error" role="alert">${this._createError}</p>
        <div class="actions">
          <button part="submit" type="submit" aria-disabled=${this._creating ? 'true' : 'false'}>
            ${this._creating ? 'Creating…' : 'Create room'}
          </button>
          <button part="cancel" class="secondary" type="button" @click=${this.#closeCreate}>Cancel</button>
        </div>
      </form>
    </dialog>`;
  }

  get #dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  #select(room: RoomSummary): void {
    this.selected = room.roomId;
    emit(this, 'roomkey-room-select', { roomId: room.roomId, room });
    this.#openInTarget(room.roomId);
  }

  /** `for`: the named `<roomkey-room>` opens the room (after the event, so a page may still react). */
  #openInTarget(roomId: string): void {
    if (!this.htmlFor) return;
    const root = this.getRootNode() as Document | ShadowRoot;
    const target = root.getElementById?.(this.htmlFor);
    if (target?.localName === 'roomkey-room') target.setAttribute('room-id', roomId);
    else console.warn(`RoomKey: <roomkey-rooms for="${this.htmlFor}"> names no <roomkey-room> on this page.`);
  }

  #onListKey = (event: KeyboardEvent): void => {
    // Within one list: the rooms, or the hidden ones.
    const list = event.currentTarget as HTMLElement;
    const buttons = [...list.querySelectorAll<HTMLButtonElement>(':scope > li > button.room')];
    const at = buttons.indexOf(event.target as HTMLButtonElement);
    if (at < 0) return;
    const next =
      event.key === 'ArrowDown'
        ? Math.min(at + 1, buttons.length - 1)
        : event.key === 'ArrowUp'
          ? Math.max(at - 1, 0)
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? buttons.length - 1
              : -1;
    if (next < 0) return;
    event.preventDefault();
    buttons[next]?.focus();
  };

  #openCreate = (): void => {
    this._createError = '';
    this._nameError = '';
    const dialog = this.#dialog;
    if (!dialog || dialog.open) return;
    const input = dialog.querySelector<HTMLInputElement>('#room-name');
    if (input) input.value = '';
    dialog.showModal();
    input?.focus();
  };

  #closeCreate = (): void => {
    this.#dialog?.close();
  };

  #onDialogClose = (): void => {
    this._createError = '';
    this._nameError = '';
  };

  #onCreate = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    if (this._creating) return;
    const form = event.currentTarget as HTMLFormElement;
    const input = form.querySelector<HTMLInputElement>('#room-name')!;
    const name = input.value.trim();
    this._createError = '';
    if (!name) {
      this._nameError = 'Give the room a name.';
      input.focus();
      return;
    }
    const client = this.#clients.client;
    if (!client) return;
    this._creating = true;
    try {
      const room = await client.createRoom(name);
      if (!this._rooms.some((r) => r.roomId === room.roomId)) this._rooms = [...this._rooms, room];
      this.#dialog?.close();
      emit(this, 'roomkey-room-created', { room });
      this.#select(room);
      await this.updateComplete;
      this.renderRoot
        .querySelector<HTMLButtonElement>(`button.room[data-room-id="${CSS.escape(room.roomId)}"]`)
        ?.focus();
    } catch (error) {
      this._createError = errorText(error);
      emit(this, 'roomkey-error', { action: 'create-room', message: this._createError, error });
    } finally {
      this._creating = false;
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'roomkey-rooms': RoomKeyRooms;
  }
}
