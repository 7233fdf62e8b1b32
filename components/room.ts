import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { messageKey, sendingMessage } from '../core/client/chat-message.ts';
import { ClientController } from './client/client-controller.ts';
import type {
  ChatMessage,
  HistoryProgress,
  MemberSummary,
  RoomKeyClient,
  RoomKeyClientEvents,
  RoomSummary,
} from './client/types.ts';
import { errorText } from './private-errors.ts';
import { emit } from './private-events.ts';
import { messageRow } from './private-message.ts';
import { statusLine } from './private-status.ts';
import { base } from './private-styles.ts';
import { MeasuredRows, type WindowRange } from './private-window.ts';

/** Rows rendered above and below the visible ones. */
const OVERSCAN = 12;
/** Distance from the bottom (px) within which the history follows new messages. */
const STICK_PX = 32;
const EMPTY_RANGE: WindowRange = { start: 0, end: 0, before: 0, after: 0 };
const count = (n: number, one: string, many: string): string =>
  `${n.toLocaleString()} ${n === 1 ? one : many}`;

/**
 * One room: its history (windowed, so thousands of messages stay smooth), a composer, the member
 * list with invite and remove, and a status line saying how the room is encrypted, whether this
 * device is online, and what stops it from reading (locked keys, a missing key for an epoch,
 * removal from the room). Catch-up progress is shown while the history loads.
 *
 * Keyboard: the history is a focusable scroll region (arrows, Page Up/Down); in the composer Enter
 * sends and Shift+Enter starts a new line; Escape closes the remove dialog.
 *
 * @tagname roomkey-room
 * @summary An end-to-end encrypted room: history, composer, members.
 *
 * @attr {string} room-id - The room to show.
 *
 * @fires {CustomEvent<HistoryLoadedDetail>} roomkey-history-loaded - The history finished loading (`detail.count` messages).
 * @fires {CustomEvent<MessageSentDetail>} roomkey-message-sent - The client accepted a message from the composer.
 * @fires {CustomEvent<MemberInvitedDetail>} roomkey-member-invited - A member was invited.
 * @fires {CustomEvent<MemberRemovedDetail>} roomkey-member-removed - A member was removed (the room moved to a new key).
 * @fires {CustomEvent<ErrorDetail>} roomkey-error - Loading, sending, inviting or removing failed; `detail.message` is shown.
 *
 * @csspart container - The outer section.
 * @csspart header - Title and status lines.
 * @csspart title - The room name.
 * @csspart key-line - "End-to-end encrypted · key version N · M members".
 * @csspart status - The connection/key status line.
 * @csspart connection-status - Connection state in words.
 * @csspart key-status - Key state in words.
 * @csspart notice - Why the room can't be read or written (locked, removed, not a member, missing keys).
 * @csspart progress - The catch-up progress (label and bar).
 * @csspart error - A failed request's message (role="alert").
 * @csspart history - The scrolling history region.
 * @csspart messages - The list of rendered messages.
 * @csspart message - A message; also `own-message` and `<status>-message` (`sending-message`, `held-message`, `failed-message`…).
 * @csspart own-message - A message sent by this user.
 * @csspart held-message - A message waiting for its epoch key.
 * @csspart failed-message - A message that could not be sent.
 * @csspart sender - A message's sender.
 * @csspart time - A message's time.
 * @csspart message-status - "Sending…", "Not sent", "Waiting for key".
 * @csspart text - A message's text.
 * @csspart reason - Why a message failed.
 * @csspart composer - The composer form.
 * @csspart composer-input - The message textarea.
 * @csspart send - The Send button.
 * @csspart members - The members section.
 * @csspart member-list - The list of members.
 * @csspart member - One member.
 * @csspart remove-button - A member's Remove button.
 * @csspart invite - The invite form.
 * @csspart invite-input - The username input of the invite form.
 * @csspart invite-button - The Invite button.
 * @csspart invite-status - The confirmation after an invite.
 * @csspart dialog - The remove confirmation dialog.
 *
 * @cssprop --roomkey-font - Font family.
 * @cssprop --roomkey-font-size - Base font size.
 * @cssprop --roomkey-color - Text color.
 * @cssprop --roomkey-background - Background color.
 * @cssprop --roomkey-surface - Background of the members panel and of others' messages.
 * @cssprop --roomkey-own-message-background - Background of this user's messages.
 * @cssprop --roomkey-muted - Secondary text color.
 * @cssprop --roomkey-accent - Buttons and links.
 * @cssprop --roomkey-accent-contrast - Text on accent buttons.
 * @cssprop --roomkey-danger - Errors, failed messages, the Remove button.
 * @cssprop --roomkey-notice-background - Background of notices (locked, removed, missing keys).
 * @cssprop --roomkey-notice-color - Text of notices.
 * @cssprop --roomkey-border-color - Borders.
 * @cssprop --roomkey-radius - Corner radius.
 * @cssprop --roomkey-focus-ring - Focus outline color.
 */
export class RoomKeyRoom extends LitElement {
  static override properties = {
    client: { attribute: false },
    roomId: { attribute: 'room-id' },
    sealed: { type: Boolean, reflect: true },
    _sealedUrl: { state: true },
    _room: { state: true },
    _loading: { state: true },
    _progress: { state: true },
    _error: { state: true },
    _sendError: { state: true },
    _inviteBusy: { state: true },
    _inviteError: { state: true },
    _inviteNote: { state: true },
    _removeTarget: { state: true },
    _removeBusy: { state: true },
    _removeError: { state: true },
    _announcement: { state: true },
  };

  static override styles = [
    base,
    css`
      :host {
        display: flex;
        height: 32rem;
        min-height: 16rem;
        container-type: inline-size;
      }
      .room {
        flex: 1;
        min-width: 0;
        display: flex;
        flex-direction: column;
        gap: 0.5em;
      }
      [part='sealed-frame'] {
        flex: 1;
        width: 100%;
        border: 0;
      }
      .sealed .error:empty {
        display: none;
      }
      .header {
        display: flex;
        flex-direction: column;
        gap: 0.15em;
      }
      .key-line {
        font-size: 0.875em;
        color: var(--roomkey-muted, #4a4f57);
      }
      .progress {
        display: flex;
        flex-direction: column;
        gap: 0.2em;
        font-size: 0.875em;
      }
      .progress label {
        font-weight: normal;
      }
      progress {
        width: 100%;
        accent-color: var(--roomkey-accent, #0b57d0);
      }
      .body {
        flex: 1;
        min-height: 0;
        display: grid;
        grid-template-columns: minmax(0, 1fr) minmax(10rem, 14rem);
        gap: 0.75em;
      }
      @container (max-width: 36rem) {
        .body {
          grid-template-columns: minmax(0, 1fr);
          grid-template-rows: minmax(0, 1fr) auto;
        }
        .members {
          max-height: 10rem;
        }
      }
      .history {
        position: relative;
        overflow-y: auto;
        overflow-anchor: none;
        overscroll-behavior: contain;
        min-height: 0;
        border: 1px solid var(--roomkey-border-color, #6b6f76);
        border-radius: var(--roomkey-radius, 6px);
      }
      .messages {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .message {
        padding: 0.35em 0.6em;
        overflow-wrap: anywhere;
      }
      .message[data-own] {
        background: var(--roomkey-own-message-background, #e8effc);
      }
      .meta {
        display: flex;
        gap: 0.5em;
        align-items: baseline;
        font-size: 0.8em;
        color: var(--roomkey-muted, #4a4f57);
      }
      .sender {
        font-weight: 600;
        color: var(--roomkey-color, #1b1b1f);
      }
      .text {
        white-space: pre-wrap;
      }
      .held {
        font-style: italic;
        color: var(--roomkey-muted, #4a4f57);
      }
      .message[data-status='failed'] .message-status,
      .reason {
        color: var(--roomkey-danger, #b3261e);
      }
      .reason {
        font-size: 0.85em;
      }
      .empty {
        padding: 1em;
      }
      .members {
        display: flex;
        flex-direction: column;
        gap: 0.5em;
        overflow-y: auto;
        padding: 0.5em;
        background: var(--roomkey-surface, #f4f5f7);
        border-radius: var(--roomkey-radius, 6px);
      }
      .members ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      .members li {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.4em;
        padding: 0.15em 0;
      }
      .members li button {
        padding: 0.1em 0.5em;
        font-size: 0.85em;
        color: var(--roomkey-danger, #b3261e);
        border-color: var(--roomkey-danger, #b3261e);
        background: var(--roomkey-background, #ffffff);
      }
      .invite {
        display: flex;
        flex-direction: column;
        gap: 0.4em;
      }
      .composer {
        display: grid;
        grid-template-columns: minmax(0, 1fr) auto;
        gap: 0.25em 0.5em;
        align-items: end;
      }
      .composer textarea {
        resize: vertical;
        min-height: 2.6em;
      }
      .composer textarea::placeholder {
        color: var(--roomkey-muted, #4a4f57);
      }
      .composer .hint,
      .composer .error {
        grid-column: 1 / -1;
      }
    `,
  ];

  /** The client to use; when unset, the default set by `setDefaultClient()`. */
  declare client: RoomKeyClient | undefined;
  /** The room to show (attribute `room-id`). */
  declare roomId: string;
  /**
   * Sealed mode (attribute `sealed`): the room renders inside an iframe from the RoomKey
   * extension's origin, so this page sees neither keys nor plaintext; history and the room list
   * are never asked for here. Needs a client with `sealedRoomUrl` (the extension's).
   */
  declare sealed: boolean;
  declare private _sealedUrl: string;
  /** The room's summary: undefined while unknown, null when the user's room list does not have it. */
  declare private _room: RoomSummary | null | undefined;
  declare private _loading: boolean;
  declare private _progress: HistoryProgress | undefined;
  declare private _error: string;
  declare private _sendError: string;
  declare private _inviteBusy: boolean;
  declare private _inviteError: string;
  declare private _inviteNote: string;
  declare private _removeTarget: MemberSummary | undefined;
  declare private _removeBusy: boolean;
  declare private _removeError: string;
  declare private _announcement: string;

  readonly #clients = new ClientController(this, {
    events: ['rooms', 'message'],
    onClient: () => {
      this.#loadedFor = undefined;
      this.#maybeLoad();
    },
    onEvent: (type, detail) => this.#onClientEvent(type, detail),
  });
  #messages: ChatMessage[] = [];
  #keys: string[] = [];
  readonly #index = new Map<string, number>();
  /** Live messages that arrived while the history was loading. */
  #pending = new Map<string, ChatMessage>();
  #held = { count: 0, epochs: [] as number[] };
  /** Numbers the composer's "Sending…" rows, which have no message id until the client answers. */
  #drafts = 0;
  readonly #rows = new MeasuredRows(56);
  #range: WindowRange = EMPTY_RANGE;
  #stick = true;
  #anchor: { key: string; top: number } | undefined;
  #loadedFor: string | undefined;
  #generation = 0;
  #focused: { client: RoomKeyClient; roomId: string } | undefined;
  #resize: ResizeObserver | undefined;
  #width = 0;

  constructor() {
    super();
    this.client = undefined;
    this.roomId = '';
    this.sealed = false;
    this._sealedUrl = '';
    this._room = undefined;
    this._loading = false;
    this._progress = undefined;
    this._error = '';
    this._sendError = '';
    this._inviteBusy = false;
    this._inviteError = '';
    this._inviteNote = '';
    this._removeTarget = undefined;
    this._removeBusy = false;
    this._removeError = '';
    this._announcement = '';
  }

  /** The messages loaded so far, oldest first (read-only). */
  get messages(): readonly ChatMessage[] {
    return this.#messages;
  }

  /** Scrolls the history to the newest message. */
  scrollToLatest(): void {
    this.#stick = true;
    this.requestUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#resize?.disconnect();
    this.#resize = undefined;
    if (this.#focused) this.#focused.client.focusRoom(null);
    this.#focused = undefined;
  }

  // ---- data ----

  #onClientEvent<K extends keyof RoomKeyClientEvents>(type: K, detail: RoomKeyClientEvents[K]): void {
    if (type === 'keys' || type === 'session') this.#maybeLoad();
    else if (this.sealed)
      return; // the sealed frame shows rooms and messages, not this page
    else if (type === 'rooms') {
      const rooms = detail as RoomKeyClientEvents['rooms'];
      if (this.roomId) this._room = rooms.find((r) => r.roomId === this.roomId) ?? null;
    } else if (type === 'message') {
      const message = detail as ChatMessage;
      if (message.roomId !== this.roomId || !this.#loadedFor) return;
      if (this._loading) {
        this.#pending.set(messageKey(message), message);
        return;
      }
      const isNew = !this.#index.has(messageKey(message));
      this.#upsert(message);
      if (isNew && !message.own && message.status === 'received') {
        this._announcement = `${message.senderUsername}: ${message.text.slice(0, 200)}`;
      }
      this.requestUpdate();
    }
  }

  /** Loads the room when (client, room, user) changed and the keys are ready; clears it when they are not. */
  #maybeLoad(): void {
    const client = this.#clients.client;
    if (this.sealed) {
      this.#maybeSeal(client);
      return;
    }
    const ready = client?.keys === 'ready' && this.roomId;
    const key = ready ? `${this.roomId}\n${client.session?.userId ?? ''}` : '';
    if (key === this.#loadedFor) return;
    this.#loadedFor = key;
    this.#generation++;
    this.#setMessages([]);
    this._room = undefined;
    this._error = '';
    this._loading = false;
    this._progress = undefined;
    if (client && key) void this.#load(client, this.roomId, this.#generation);
  }

  /** Sealed mode: asks the client for the extension's room page (never for history or rooms). */
  #maybeSeal(client: RoomKeyClient | undefined): void {
    const key = client && this.roomId ? `sealed\n${this.roomId}` : '';
    if (key === this.#loadedFor) return;
    this.#loadedFor = key;
    const generation = ++this.#generation;
    this.#setMessages([]);
    this._room = undefined;
    this._error = '';
    this._loading = false;
    this._progress = undefined;
    this._sealedUrl = '';
    if (!client || !key) return;
    if (!client.sealedRoomUrl) {
      this._error = 'This room is sealed: it needs the RoomKey browser extension.';
      return;
    }
    client.sealedRoomUrl(this.roomId).then(
      (url) => {
        if (generation === this.#generation) this._sealedUrl = url;
      },
      (error: Error) => {
        if (generation === this.#generation)
          this._error = error?.message || 'The sealed room could not open.';
      },
    );
  }

  async #load(client: RoomKeyClient, roomId: string, generation: number): Promise<void> {
    this._loading = true;
    this.#pending = new Map();
    client.listRooms().then(
      (rooms) => {
        if (generation === this.#generation) this._room = rooms.find((r) => r.roomId === roomId) ?? null;
      },
      () => {
        // The history call reports the failure that matters.
      },
    );
    try {
      const list = await client.history(roomId, {
        onProgress: (progress) => {
          if (generation === this.#generation) this._progress = progress;
        },
      });
      if (generation !== this.#generation) return;
      this.#setMessages(list);
      for (const message of this.#pending.values()) this.#upsert(message);
      this.#pending.clear();
      this.#stick = true;
      this._loading = false;
      await this.updateComplete;
      if (generation === this.#generation)
        emit(this, 'roomkey-history-loaded', { roomId, count: list.length });
    } catch (error) {
      if (generation !== this.#generation) return;
      this._error = errorText(error);
      emit(this, 'roomkey-error', { action: 'history', message: this._error, error });
    } finally {
      if (generation === this.#generation) {
        this._loading = false;
        this._progress = undefined;
      }
    }
  }

  #setMessages(list: readonly ChatMessage[]): void {
    this.#messages = [];
    this.#keys = [];
    this.#index.clear();
    this.#held = { count: 0, epochs: [] }; // right for no messages; a held one below resets it
    for (const message of list) this.#upsert(message);
    this.#rows.setKeys(this.#keys);
    this.#range = EMPTY_RANGE;
    this.requestUpdate();
  }

  #upsert(message: ChatMessage): void {
    const key = messageKey(message);
    const at = this.#index.get(key);
    const old = at === undefined ? undefined : this.#messages[at];
    if (at !== undefined) {
      this.#messages[at] = message;
    } else {
      this.#index.set(key, this.#messages.length);
      this.#messages.push(message);
      this.#keys.push(key);
      this.#rows.setKeys(this.#keys);
    }
    // Only a held message (before or after) changes the held summary: no rescan per live message.
    if (old?.status === 'held' || message.status === 'held') this.#held = { count: -1, epochs: [] };
  }

  #drop(messageId: string): void {
    const at = this.#index.get(messageId);
    if (at === undefined) return;
    const [old] = this.#messages.splice(at, 1);
    this.#keys.splice(at, 1);
    this.#index.delete(messageId);
    for (let i = at; i < this.#keys.length; i++) this.#index.set(this.#keys[i]!, i);
    this.#rows.setKeys(this.#keys);
    if (old?.status === 'held') this.#held = { count: -1, epochs: [] };
  }

  #heldSummary(): { count: number; epochs: number[] } {
    if (this.#held.count < 0) {
      const epochs = new Set<number>();
      let held = 0;
      for (const message of this.#messages) {
        if (message.status !== 'held') continue;
        held++;
        epochs.add(message.epoch);
      }
      this.#held = { count: held, epochs: [...epochs].sort((a, b) => a - b) };
    }
    return this.#held;
  }

  // ---- lifecycle and windowing ----

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#clients.sync();
    if (changed.has('roomId') || changed.has('sealed')) {
      this._sendError = '';
      this._inviteError = '';
      this._inviteNote = '';
      this.#maybeLoad();
    }
    const scroller = this.#scroller;
    if (!scroller) return;
    this.#anchor = this.#stick ? undefined : this.#findAnchor(scroller);
    const top = this.#stick
      ? Math.max(0, this.#rows.totalHeight - scroller.clientHeight)
      : scroller.scrollTop;
    this.#range = this.#rows.range(top, scroller.clientHeight, OVERSCAN);
  }

  protected override firstUpdated(): void {
    this.#observe();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.#observe();
  }

  /** Re-measures rows when the width changes (text wraps differently) and re-windows on any resize. */
  #observe(): void {
    const scroller = this.#scroller;
    if (!scroller || this.#resize) return;
    this.#width = scroller.clientWidth;
    this.#resize = new ResizeObserver(() => {
      if (Math.abs(scroller.clientWidth - this.#width) > 1) {
        this.#width = scroller.clientWidth;
        this.#rows.reset();
      }
      this.requestUpdate();
    });
    this.#resize.observe(scroller);
  }

  protected override updated(): void {
    this.#syncFocusRoom();
    const scroller = this.#scroller;
    if (!scroller) return;
    for (const row of scroller.querySelectorAll<HTMLElement>('li[data-key]')) {
      this.#rows.measure(row.dataset['key']!, row.getBoundingClientRect().height);
    }
    if (this.#stick) {
      scroller.scrollTop = scroller.scrollHeight;
    } else if (this.#anchor) {
      const row = scroller.querySelector<HTMLElement>(`li[data-key="${this.#anchor.key}"]`);
      if (row) {
        const drift = row.offsetTop - scroller.scrollTop - this.#anchor.top;
        if (Math.abs(drift) >= 1) scroller.scrollTop += drift;
      }
      this.#anchor = undefined;
    }
    this.#checkRange();
  }

  /** The first rendered row that reaches into the viewport, and where it is relative to the top. */
  #findAnchor(scroller: HTMLElement): { key: string; top: number } | undefined {
    const top = scroller.scrollTop;
    for (const row of scroller.querySelectorAll<HTMLElement>('li[data-key]')) {
      if (row.offsetTop + row.offsetHeight > top)
        return { key: row.dataset['key']!, top: row.offsetTop - top };
    }
    return undefined;
  }

  /** Asks for a render when the slice that should be on screen differs from the rendered one. */
  #checkRange(): void {
    const scroller = this.#scroller;
    if (!scroller) return;
    const top = this.#stick
      ? Math.max(0, this.#rows.totalHeight - scroller.clientHeight)
      : scroller.scrollTop;
    const next = this.#rows.range(top, scroller.clientHeight, OVERSCAN);
    const now = this.#range;
    if (
      next.start !== now.start ||
      next.end !== now.end ||
      Math.abs(next.before - now.before) >= 1 ||
      Math.abs(next.after - now.after) >= 1
    ) {
      this.requestUpdate();
    }
  }

  #onScroll = (): void => {
    const scroller = this.#scroller;
    if (!scroller) return;
    this.#stick = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= STICK_PX;
    this.#checkRange();
  };

  #syncFocusRoom(): void {
    const client = this.#clients.client;
    // A sealed room's own frame reports what is on screen.
    const roomId = this.isConnected && !this.sealed ? this.roomId : '';
    if (this.#focused && (this.#focused.client !== client || this.#focused.roomId !== roomId)) {
      this.#focused.client.focusRoom(null);
      this.#focused = undefined;
    }
    if (client && roomId && !this.#focused) {
      client.focusRoom(roomId);
      this.#focused = { client, roomId };
    }
  }

  get #scroller(): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>('.history');
  }

  // ---- rendering ----

  protected override render(): TemplateResult {
    if (this.sealed) {
      return html`<section class="room sealed" part="container">
        <p class="error" part="error" role="alert">${this._error}</p>
        ${
          this._sealedUrl
            ? html`<iframe part="sealed-frame" title="Encrypted room (RoomKey extension)" src=${this._sealedUrl}></iframe>`
            : nothing
        }
      </section>`;
    }
    const room = this._room;
    const title = room?.name || (this.roomId ? 'Room' : 'No room selected');
    return html`<section class="room" part="container" aria-labelledby="title">
        <div class="header" part="header">
          <h2 id="title" part="title">${title}</h2>
          ${this.#renderKeyLine()} ${statusLine(this.#clients.connection, this.#clients.keys, this.#clients.failure)}
        </div>
        ${this.#renderNotice()} ${this.#renderProgress()}
        <p class="error" part="error" role="alert">${this._error}</p>
        <div class="body">
          ${this.#renderHistory()} ${this.#renderMembers()}
        </div>
        ${this.#renderComposer()}
        <div class="visually-hidden" aria-live="polite">${this._announcement}</div>
      </section>
      ${this.#renderRemoveDialog()}`;
  }

  #renderKeyLine(): TemplateResult | typeof nothing {
    const room = this._room;
    if (!room) return nothing;
    return html`<p class="key-line" part="key-line">
      End-to-end encrypted · key version ${room.epoch} · ${count(room.members.length, 'member', 'members')}
    </p>`;
  }

  #renderNotice(): TemplateResult | typeof nothing {
    const keys = this.#clients.keys;
    const lines: string[] = [];
    if (!this.roomId) lines.push('Choose a room to open it.');
    else if (keys === 'signed-out') lines.push('Sign in to open this room.');
    else if (keys === 'locked') {
      lines.push('This room is locked. Unlock RoomKey with your password to read and send messages.');
    } else if (this._room?.status === 'removed') {
      lines.push(
        "You were removed from this room: new messages can't be read here, and you can't send. What is already on screen stays until you leave.",
      );
    } else if (this._room === null || this._room?.status === 'outside') {
      lines.push('You are not a member of this room. Ask a member to invite you.');
    }
    const held = this.#heldSummary();
    if (held.count > 0 && keys === 'ready') {
      const versions = held.epochs.join(', ');
      lines.push(
        `Missing the key for key version ${versions}: ${count(held.count, "message can't", "messages can't")} be read yet. They will appear when a member shares the key with this device.`,
      );
    }
    if (lines.length === 0) return nothing;
    return html`<div class="notice" part="notice" role="status">
      ${lines.map((line) => html`<p>${line}</p>`)}
    </div>`;
  }

  #renderProgress(): TemplateResult | typeof nothing {
    if (!this._loading) return nothing;
    const progress = this._progress;
    const text = !progress
      ? 'Loading messages…'
      : progress.total !== undefined
        ? `Catching up: ${progress.loaded.toLocaleString()} of ${count(progress.total, 'message', 'messages')} decrypted`
        : `Catching up: ${count(progress.loaded, 'message', 'messages')} decrypted so far`;
    return html`<div class="progress" part="progress">
      <label for="progress">${text}</label>
      ${
        progress?.total
          ? html`<progress id="progress" max=${progress.total} .value=${progress.loaded}></progress>`
          : html`<progress id="progress"></progress>`
      }
    </div>`;
  }

  #renderHistory(): TemplateResult {
    const total = this.#messages.length;
    const { start, end, before, after } = this.#range;
    const slice = this.#messages.slice(start, end);
    const empty = total === 0 && !this._loading && this.#loadedFor && !this._error;
    return html`<div
      class="history"
      part="history"
      role="region"
      aria-label="Messages"
      aria-busy=${this._loading ? 'true' : 'false'}
      tabindex="0"
      @scroll=${this.#onScroll}
    >
      <div style=${styleMap({ height: `${before}px` })}></div>
      <ol class="messages" part="messages">
        ${repeat(slice, messageKey, (message, i) => messageRow(message, start + i, total))}
      </ol>
      <div style=${styleMap({ height: `${after}px` })}></div>
      ${empty ? html`<p class="empty hint">No messages yet. Say hello!</p>` : nothing}
    </div>`;
  }

  get #canWrite(): boolean {
    const room = this._room;
    return (
      this.#clients.keys === 'ready' &&
      !!this.roomId &&
      room !== null &&
      room?.status !== 'removed' &&
      room?.status !== 'outside'
    );
  }

  #renderMembers(): TemplateResult {
    const room = this._room;
    const me = this.#clients.session?.userId;
    const members = room?.members ?? [];
    const canWrite = this.#canWrite;
    return html`<section class="members" part="members" aria-labelledby="members-title">
      <h3 id="members-title" tabindex="-1">Members${room ? ` (${members.length})` : ''}</h3>
      ${
        members.length
          ? html`<ul part="member-list">
              ${repeat(
                members,
                (m) => m.userId,
                (m) => html`<li part="member">
                  <span>${m.username}${m.userId === me ? ' (you)' : ''}</span>
                  ${
                    canWrite && m.userId !== me
                      ? html`<button part="remove-button" type="button" @click=${() => this.#askRemove(m)}>
                          Remove<span class="visually-hidden"> ${m.username}</span>
                        </button>`
                      : nothing
                  }
                </li>`,
              )}
            </ul>`
          : nothing
      }
      ${
        canWrite
          ? html`<form class="invite" part="invite" novalidate @submit=${this.#onInvite}>
              <div class="field">
                <label for="invite-username">Invite by username</label>
                <input
                  part="invite-input"
                  id="invite-username"
                  name="username"
                  autocomplete="off"
                  autocapitalize="none"
                  spellcheck="false"
                  ?readonly=${this._inviteBusy}
                  aria-invalid=${this._inviteError ? 'true' : 'false'}
                  aria-describedby="invite-error"
                />
              </div>
              <label class="check"
                ><input type="checkbox" name="shareHistory" id="invite-history" /> Let them read earlier
                messages</label
              >
              <div class="actions">
                <button part="invite-button" type="submit" aria-disabled=${this._inviteBusy ? 'true' : 'false'}>
                  ${this._inviteBusy ? 'Inviting…' : 'Invite'}
                </button>
              </div>
              <p class="error" part="error" id="invite-error" role="alert">${this._inviteError}</p>
              <p class="hint" part="invite-status" role="status">${this._inviteNote}</p>
            </form>`
          : nothing
      }
    </section>`;
  }

  #renderComposer(): TemplateResult {
    const canWrite = this.#canWrite;
    const hint = canWrite
      ? 'Enter sends, Shift+Enter starts a new line.'
      : this.#clients.keys !== 'ready'
        ? 'Unlock RoomKey to write.'
        : "You can't write in this room.";
    return html`<form class="composer" part="composer" @submit=${this.#onSend}>
      <label for="composer-input" class="visually-hidden">Message</label>
      <textarea
        part="composer-input"
        id="composer-input"
        name="text"
        rows="2"
        placeholder="Write a message…"
        ?disabled=${!canWrite}
        aria-describedby="composer-hint composer-error"
        @keydown=${this.#onComposerKey}
      ></textarea>
      <button part="send" type="submit" ?disabled=${!canWrite}>Send</button>
      <p class="hint" id="composer-hint">${hint}</p>
      <p class="error" part="error" id="composer-error" role="alert">${this._sendError}</p>
    </form>`;
  }

  #renderRemoveDialog(): TemplateResult {
    const name = this._removeTarget?.username ?? '';
    return html`<dialog part="dialog" aria-labelledby="remove-title" aria-describedby="remove-text" @close=${this.#onRemoveClosed}>
      <form @submit=${this.#onConfirmRemove}>
        <h3 id="remove-title">Remove ${name}?</h3>
        <p id="remove-text">
          ${name} will not be able to read new messages in this room. The room moves to a new key for the members
          who stay.
        </p>
        <p class="error" part="error" role="alert">${this._removeError}</p>
        <div class="actions">
          <button class="danger" type="submit" aria-disabled=${this._removeBusy ? 'true' : 'false'}>
            ${this._removeBusy ? 'Removing…' : 'Remove'}
          </button>
          <button class="secondary" type="button" data-cancel @click=${() => this.#dialog?.close()}>Cancel</button>
        </div>
      </form>
    </dialog>`;
  }

  // ---- actions ----

  #onComposerKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Enter' || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.isComposing) return;
    event.preventDefault();
    (event.currentTarget as HTMLTextAreaElement).form?.requestSubmit();
  };

  #onSend = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const client = this.#clients.client;
    const textarea = this.renderRoot.querySelector<HTMLTextAreaElement>('#composer-input');
    if (!client || !textarea || !this.#canWrite) return;
    const text = textarea.value;
    if (!text.trim()) return;
    const roomId = this.roomId;
    textarea.value = '';
    this._sendError = '';
    this.#stick = true;
    // On screen at once as "Sending…": the client may first wait for a reconnect.
    const session = this.#clients.session;
    const draft = sendingMessage({
      roomId,
      draftId: `draft-${++this.#drafts}`,
      senderUserId: session?.userId ?? '',
      senderUsername: session?.username ?? '',
      text,
      epoch: this._room?.epoch ?? 0,
    });
    this.#upsert(draft);
    this.requestUpdate();
    try {
      const message = await client.send(roomId, text);
      if (roomId === this.roomId) {
        this.#drop(draft.draftId);
        this.#upsert(message);
        this.requestUpdate();
      }
      emit(this, 'roomkey-message-sent', { message });
    } catch (error) {
      if (roomId === this.roomId) {
        this.#drop(draft.draftId);
        this.requestUpdate();
      }
      // Nothing is lost: the text goes back into the composer (unless a new one was started).
      if (!textarea.value) textarea.value = text;
      this._sendError = errorText(error);
      emit(this, 'roomkey-error', { action: 'send', message: this._sendError, error });
    }
  };

  #onInvite = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    if (this._inviteBusy) return;
    const client = this.#clients.client;
    const form = event.currentTarget as HTMLFormElement;
    const input = form.querySelector<HTMLInputElement>('#invite-username')!;
    const shareHistory = form.querySelector<HTMLInputElement>('#invite-history')?.checked ?? false;
    const username = input.value.trim();
    this._inviteNote = '';
    if (!username) {
      this._inviteError = 'Enter the username of the person to invite.';
      input.focus();
      return;
    }
    if (!client) return;
    this._inviteError = '';
    this._inviteBusy = true;
    try {
      const room = await client.invite(this.roomId, username, { shareHistory });
      this._room = room;
      input.value = '';
      this._inviteNote = `${username} was added. They can read new messages${shareHistory ? ' and earlier ones' : ''}.`;
      emit(this, 'roomkey-member-invited', { room, username });
    } catch (error) {
      this._inviteError = errorText(error);
      emit(this, 'roomkey-error', { action: 'invite', message: this._inviteError, error });
      input.focus();
    } finally {
      this._inviteBusy = false;
    }
  };

  get #dialog(): HTMLDialogElement | null {
    return this.renderRoot.querySelector('dialog');
  }

  async #askRemove(member: MemberSummary): Promise<void> {
    this._removeTarget = member;
    this._removeError = '';
    await this.updateComplete;
    const dialog = this.#dialog;
    if (!dialog || dialog.open) return;
    dialog.showModal();
    dialog.querySelector<HTMLButtonElement>('[data-cancel]')?.focus();
  }

  #onRemoveClosed = (): void => {
    if (this._removeBusy) return;
    this._removeError = '';
  };

  #onConfirmRemove = async (event: SubmitEvent): Promise<void> => {
    event.preventDefault();
    const member = this._removeTarget;
    const client = this.#clients.client;
    if (this._removeBusy || !member || !client) return;
    this._removeBusy = true;
    this._removeError = '';
    try {
      const room = await client.removeMember(this.roomId, member.userId);
      this._room = room;
      this.#dialog?.close();
      this._removeTarget = undefined;
      emit(this, 'roomkey-member-removed', { room, userId: member.userId, username: member.username });
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#members-title')?.focus();
    } catch (error) {
      this._removeError = errorText(error);
      emit(this, 'roomkey-error', { action: 'remove-member', message: this._removeError, error });
    } finally {
      this._removeBusy = false;
    }
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'roomkey-room': RoomKeyRoom;
  }
}
