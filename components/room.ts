import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { ClientController } from './client/client-controller.ts';
import type {
  ChatMessage,
  RoomKeyClient,
  RoomKeyClientEvents,
  RoomSummary,
  StoredMessage,
} from './client/types.ts';
import { errorText } from './private-errors.ts';
import { emit } from './private-events.ts';
import { composerStyles, RoomComposer } from './private-room-composer.ts';
import { RoomHide } from './private-room-hide.ts';
import { count, historyStyles, RoomHistory } from './private-room-history.ts';
import { membersStyles, RoomMembers } from './private-room-members.ts';
import { StatusOwner } from './private-status.ts';
import { base } from './private-styles.ts';

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
 * @csspart hide-room - "Hide from my rooms" / "Show in my rooms" (clients with hidden rooms: this device only).
 * @csspart title - The room name.
 * @csspart key-line - "End-to-end encrypted · M members" (`data-epoch`: the room's key version).
 * @csspart status - The connection/key status line.
 * @csspart connection-status - Connection state in words.
 * @csspart key-status - Key state in words.
 * @csspart dns-status - With the extension: how the server's name was looked up ("DNS: private", "DNS: not private — …"; `data-private`).
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
 * @csspart day-separator - "Today", "Yesterday" or the date, above a day's first message.
 * @csspart unread-marker - "New since you left", above the first message the reader had not read.
 * @csspart link - A link in a message (http, https and mailto only; opens in a new tab).
 * @csspart show-more - "Show more" / "Show less" on a long message.
 * @csspart quote - The message a reply answers (sender and first line; a button that shows it).
 * @csspart edited - "(edited)" after an edited message.
 * @csspart deleted - The text of a deleted message ("This message was deleted.").
 * @csspart reactions - A message's reactions; each `reaction` toggles this user's.
 * @csspart reaction - One emoji with its count (`aria-pressed` when this user chose it).
 * @csspart actions-button - The "…" button that opens a message's actions.
 * @csspart message-actions - Reply, React, and on one's own messages Edit and Delete.
 * @csspart reply-button - Reply to a message.
 * @csspart react-button - Opens the reaction picker.
 * @csspart reaction-picker - The emoji to react with.
 * @csspart edit-button - Edit one's own message.
 * @csspart delete-button - Delete one's own message (asked again first).
 * @csspart confirm-delete - The Delete button of that question.
 * @csspart edit-form - The inline edit form (`edit-input`, `save-edit`).
 * @csspart edit-input - The edit field (Enter saves, Escape cancels).
 * @csspart save-edit - Saves an edit.
 * @csspart jump-to-latest - "Jump to latest" while scrolled up (with how many new messages came).
 * @csspart replying-to - "Replying to …" above the composer, with Cancel.
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
 * @cssprop --roomkey-room-min-height - Least height (default 20rem); the room otherwise fills its box's height.
 */
export class RoomKeyRoom extends LitElement {
  static override properties = {
    client: { attribute: false },
    roomId: { attribute: 'room-id' },
    sealed: { type: Boolean, reflect: true },
    _sealedUrl: { state: true },
    _room: { state: true },
    _error: { state: true },
    _announcement: { state: true },
  };

  static override styles = [
    base,
    css`
      /* Fills the box it is given. In a box of no set height it is min-height tall and stays so:
         the history (.body, size-contained) scrolls inside and never grows the page. */
      :host {
        display: flex;
        height: 100%;
        min-height: var(--roomkey-room-min-height, 20rem);
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
      .hide-room {
        align-self: flex-start;
        font-size: 0.8em;
        padding: 0.2em 0.6em;
      }
      .key-line {
        font-size: 0.875em;
        color: var(--roomkey-muted, #4a4f57);
      }
      .body {
        flex: 1;
        min-height: 0;
        contain: size;
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
    `,
    historyStyles,
    membersStyles,
    composerStyles,
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
  /** Why the room could not load (history or sealed frame). */
  declare private _error: string;
  /** The newest message from someone else, for screen readers. */
  declare private _announcement: string;

  /** Shows connection and key state unless another element of the page does. */
  readonly #status = new StatusOwner(this);
  readonly #clients = new ClientController(this, {
    events: ['rooms', 'message'],
    onClient: () => {
      this.#loadedFor = undefined;
      this.#maybeLoad();
    },
    onEvent: (type, detail) => this.#onClientEvent(type, detail),
  });
  readonly #history = new RoomHistory(this, {
    onLoadError: (error) => {
      this._error = errorText(error);
      emit(this, 'roomkey-error', { action: 'history', message: this._error, error });
    },
    client: () => this.#clients.client,
    me: () => this.#clients.session?.userId,
    canWrite: () => this.#canWrite,
    onReply: (target) => this.#composer.replyTo(target),
    onActionError: (error) => {
      this._error = errorText(error);
      emit(this, 'roomkey-error', { action: 'send', message: this._error, error });
    },
  });
  /** "Hide from my rooms": this device's preference (private-room-hide.ts). */
  readonly #hide = new RoomHide(this, {
    client: () => this.#clients.client,
    roomId: () => this.roomId,
    ready: () => this.#clients.keys === 'ready' && !!this._room,
    onError: (error) => {
      this._error = errorText(error);
      emit(this, 'roomkey-error', { action: 'hide-room', message: this._error, error });
    },
  });
  readonly #members = new RoomMembers(this, {
    client: () => this.#clients.client,
    roomId: () => this.roomId,
    room: () => this._room,
    me: () => this.#clients.session?.userId,
    canWrite: () => this.#canWrite,
    roomChanged: (room) => {
      this._room = room;
    },
  });
  readonly #composer = new RoomComposer(this, {
    client: () => this.#clients.client,
    roomId: () => this.roomId,
    session: () => this.#clients.session,
    keys: () => this.#clients.keys,
    epoch: () => this._room?.epoch ?? 0,
    canWrite: () => this.#canWrite,
    rows: this.#history,
  });
  /** What is loaded: room and user (or the sealed room); '' for nothing, undefined to reload. */
  #loadedFor: string | undefined;
  /** Bumped on every (re)load: an answer for an earlier one changes nothing. */
  #generation = 0;
  #focused: { client: RoomKeyClient; roomId: string } | undefined;

  constructor() {
    super();
    this.client = undefined;
    this.roomId = '';
    this.sealed = false;
    this._sealedUrl = '';
    this._room = undefined;
    this._error = '';
    this._announcement = '';
  }

  /** The messages loaded so far, oldest first (read-only). */
  get messages(): readonly ChatMessage[] {
    return this.#history.messages;
  }

  /** Scrolls the history to the newest message. */
  scrollToLatest(): void {
    this.#history.follow();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#focused) this.#focused.client.focusRoom(null);
    this.#focused = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#clients.sync();
    if (changed.has('roomId') || changed.has('sealed')) {
      this.#composer.reset();
      this.#members.reset();
      this.#maybeLoad();
    }
  }

  protected override updated(): void {
    this.#syncFocusRoom();
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
      const message = detail as StoredMessage;
      if (message.roomId !== this.roomId || !this.#loadedFor) return;
      const announcement = this.#history.receive(message);
      if (announcement) this._announcement = announcement;
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
    const generation = this.#clear();
    if (client && key) {
      this.#loadSummary(client, this.roomId, generation);
      void this.#history.load(client, this.roomId);
    }
  }

  /** Sealed mode: asks the client for the extension's room page (never for history or rooms). */
  #maybeSeal(client: RoomKeyClient | undefined): void {
    const key = client && this.roomId ? `sealed\n${this.roomId}` : '';
    if (key === this.#loadedFor) return;
    this.#loadedFor = key;
    const generation = this.#clear();
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
        if (generation === this.#generation) this._error = errorText(error);
      },
    );
  }

  /** Forgets what was shown; returns the new generation. */
  #clear(): number {
    this.#history.clear();
    this._room = undefined;
    this._error = '';
    this._sealedUrl = '';
    return ++this.#generation;
  }

  /** The room's summary (name, key version, members) from the client's room list. */
  #loadSummary(client: RoomKeyClient, roomId: string, generation: number): void {
    client.listRooms().then(
      (rooms) => {
        if (generation === this.#generation) this._room = rooms.find((r) => r.roomId === roomId) ?? null;
      },
      () => {
        // The history call reports the failure that matters.
      },
    );
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
    const showEmpty = Boolean(this.#loadedFor) && !this._error;
    return html`<section class="room" part="container" aria-labelledby="title">
        <div class="header" part="header">
          <h2 id="title" part="title">${title}</h2>
          ${this.#hide.render()} ${this.#renderKeyLine()} ${this.#status.line(this.#clients.connection, this.#clients.keys, this.#clients.failure, this.#clients.dns)}
        </div>
        ${this.#renderNotice()} ${this.#members.renderWarning()} ${this.#history.renderProgress()}
        <p class="error" part="error" role="alert">${this._error}</p>
        <div class="body">
          ${this.#history.render(showEmpty)} ${this.#members.render()}
        </div>
        ${this.#composer.render()}
        <div class="visually-hidden" aria-live="polite">${this._announcement}</div>
      </section>
      ${this.#members.renderDialog()}`;
  }

  #renderKeyLine(): TemplateResult | typeof nothing {
    const room = this._room;
    if (!room) return nothing;
    // The key version means nothing to most people: it is named where it explains something (a
    // message waiting for its key), not on every screen. A removed room has no members to count.
    const who = room.status === 'member' ? ` · ${count(room.members.length, 'member', 'members')}` : '';
    return html`<p class="key-line" part="key-line" data-epoch=${room.epoch}>End-to-end encrypted${who}</p>`;
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
        `${this.#members.left(this.roomId) ? 'You left this room.' : 'You were removed from this room.'} Messages from before stay readable on this device; new ones are not shared with you, and you can't write here.`,
      );
    } else if (this._room === null || this._room?.status === 'outside') {
      lines.push('You are not a member of this room. Ask a member to invite you.');
    }
    const held = this.#history.held();
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
}

declare global {
  interface HTMLElementTagNameMap {
    'roomkey-room': RoomKeyRoom;
  }
}
