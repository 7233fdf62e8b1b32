/**
 * The history of `<roomkey-room>`: loads a room's messages with catch-up progress, keeps live
 * ones that arrive meanwhile, and renders only the rows near the viewport (heights measured as
 * they render), so thousands of messages stay smooth. At the bottom it follows new messages;
 * higher up it keeps what is on screen where it is and offers "Jump to latest". Replies, edits,
 * deletes and reactions are applied as they arrive (core/client message-events.ts: a deleted
 * text is dropped from the rows too) and sent from each row's actions. Marks where the messages
 * the reader has not seen begin ("New since you left"). A Lit reactive controller. Internal.
 * @example readonly #history = new RoomHistory(this, { onLoadError: (error) => this.#showError(error) });
 */
import {
  css,
  html,
  nothing,
  type ReactiveController,
  type ReactiveControllerHost,
  type TemplateResult,
} from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { styleMap } from 'lit/directives/style-map.js';
import { messageKey } from '../core/client/chat-message.ts';
import { firstLine, MessageEvents, type ShownMessage } from '../core/client/message-events.ts';
import { liveMark } from '../core/live-marks.ts';
import type {
  ChatMessage,
  HistoryProgress,
  MessageEventInput,
  RoomKeyClient,
  StoredMessage,
} from './client/types.ts';
import { emit } from './private-events.ts';
import { membershipRow, membershipWords } from './private-membership-row.ts';
import { messageRow } from './private-message.ts';
import { actionStyles, type RowAction, type RowPanel } from './private-message-actions.ts';
import { type HeldSummary, MessageList } from './private-message-list.ts';
import { MeasuredRows, type WindowRange } from './private-window.ts';

/** Rows rendered above and below the visible ones. */
const OVERSCAN = 12;
/** Distance from the bottom (px) within which the history follows new messages. */
const STICK_PX = 32;
const EMPTY_RANGE: WindowRange = { start: 0, end: 0, before: 0, after: 0 };

/** "1 message", "2,000 messages". */
export const count = (n: number, one: string, many: string): string =>
  `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** The element the history lives in. */
export type HistoryHost = ReactiveControllerHost &
  HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };

/** The message a reply answers, as the composer's "Replying to" line shows it. */
export interface ReplyTarget {
  messageId: string;
  senderUsername: string;
  firstLine: string;
}

export interface RoomHistoryOptions {
  /** Loading failed (not called for a load that a newer one replaced). */
  onLoadError(error: unknown): void;
  /** For the rows' actions: the client (they need its `sendEvent`), who "I" am, whether I may write. */
  client?(): RoomKeyClient | undefined;
  me?(): string | undefined;
  canWrite?(): boolean;
  /** Reply was pressed on a message. */
  onReply?(target: ReplyTarget): void;
  /** An edit, delete or reaction could not be sent. */
  onActionError?(error: unknown): void;
}

export const historyStyles = css`
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
  .history-box {
    position: relative;
    min-height: 0;
    display: flex;
    flex-direction: column;
  }
  .history-box > .history {
    flex: 1;
  }
  .message[data-grouped] {
    padding-top: 0;
  }
  .membership-text {
    margin: 0.2em 0;
    text-align: center;
    font-size: 0.85em;
    color: var(--roomkey-muted, #4a4f57);
  }
  .membership-text time {
    margin-inline-start: 0.5em;
  }
  .day,
  .unread-marker {
    display: flex;
    align-items: center;
    gap: 0.5em;
    margin: 0.4em 0;
    font-size: 0.8em;
    font-weight: 600;
    color: var(--roomkey-muted, #4a4f57);
  }
  .day::before,
  .day::after,
  .unread-marker::before,
  .unread-marker::after {
    content: '';
    flex: 1;
    border-top: 1px solid var(--roomkey-border-color, #6b6f76);
  }
  .unread-marker {
    color: var(--roomkey-danger, #b3261e);
  }
  .unread-marker::before,
  .unread-marker::after {
    border-color: var(--roomkey-danger, #b3261e);
  }
  .text[data-collapsed] {
    max-height: 16em;
    overflow: hidden;
  }
  .text a {
    color: var(--roomkey-accent, #0b57d0);
  }
  .deleted {
    font-style: italic;
    color: var(--roomkey-muted, #4a4f57);
  }
  .edited {
    font-size: 0.8em;
    color: var(--roomkey-muted, #4a4f57);
  }
  .more {
    font-size: 0.85em;
  }
  .quote {
    display: block;
    max-width: 100%;
    margin: 0.15em 0;
    padding: 0.1em 0.5em;
    border: none;
    border-left: 3px solid var(--roomkey-accent, #0b57d0);
    border-radius: 0;
    background: transparent;
    color: var(--roomkey-muted, #4a4f57);
    font-size: 0.85em;
    text-align: start;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .quote-sender {
    font-weight: 600;
  }
  .jump {
    position: absolute;
    bottom: 0.75em;
    left: 50%;
    transform: translateX(-50%);
    box-shadow: 0 1px 4px rgb(0 0 0 / 0.3);
  }
  ${actionStyles}
`;

export class RoomHistory implements ReactiveController {
  readonly #host: HistoryHost;
  readonly #options: RoomHistoryOptions;
  readonly #list = new MessageList();
  /** Edits, deletes and reactions applied to the rows (made again for each room and user). */
  #events = new MessageEvents();
  /** The first row the reader had not seen when the history loaded ("New since you left"). */
  #unreadKey: string | undefined;
  /** Long messages opened with "Show more". */
  #expanded = new Set<string>();
  /** The one row whose picker, edit form or delete question is open. */
  #panel: { key: string; kind: RowPanel } | undefined;
  /** What to focus once the row renders (the edit field, the delete question). */
  #focusNext: string | undefined;
  /** Messages from others that arrived while the reader was scrolled up. */
  #newBelow = 0;
  /** Live messages that arrived while the history was loading. */
  #pending = new Map<string, StoredMessage>();
  #loading = false;
  #progress: HistoryProgress | undefined;
  /** Bumped by `clear()`: a load that finishes after it changes nothing. */
  #generation = 0;
  readonly #rows = new MeasuredRows(56);
  #range: WindowRange = EMPTY_RANGE;
  #stick = true;
  #anchor: { key: string; top: number } | undefined;
  /** The frame that measures and scrolls after a render (hostUpdated). */
  #layoutFrame: number | undefined;
  /** In that frame, until it painted. */
  #inFrame = false;
  /** Where the last scroll to the newest message left the history (its event may come late). */
  #scrolledTo = -1;
  #resize: ResizeObserver | undefined;
  #observed: HTMLElement | undefined;
  #width = 0;

  constructor(host: HistoryHost, options: RoomHistoryOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** The messages loaded so far, oldest first, as shown (edits, deletes and reactions applied). */
  get messages(): readonly ShownMessage[] {
    return this.#list.messages.map((m) => this.#events.shown(m));
  }

  get loading(): boolean {
    return this.#loading;
  }

  /** Messages waiting for an epoch key, for the room's notice. */
  held(): HeldSummary {
    return this.#list.held();
  }

  /** Forgets the messages and any load in flight. */
  clear(): void {
    this.#generation++;
    this.#pending = new Map();
    this.#loading = false;
    this.#progress = undefined;
    this.#events = new MessageEvents(this.#options.me?.() ?? '');
    this.#unreadKey = undefined;
    this.#expanded = new Set();
    this.#panel = undefined;
    this.#newBelow = 0;
    this.#reset([]);
  }

  /**
   * Loads `roomId`'s history from `client`, reporting progress, then fires
   * `roomkey-history-loaded` on the host. Live messages that arrive meanwhile are kept.
   */
  async load(client: RoomKeyClient, roomId: string): Promise<void> {
    this.clear();
    const generation = this.#generation;
    const current = () => generation === this.#generation;
    this.#loading = true;
    this.#host.requestUpdate();
    try {
      const list = await client.history(roomId, {
        membership: true,
        onProgress: (progress) => {
          if (!current()) return;
          this.#progress = progress;
          this.#host.requestUpdate();
        },
      });
      if (!current()) return;
      this.#reset(this.#rowsOf(list));
      this.#unreadKey = firstUnreadKey(this.#list.messages);
      for (const message of this.#pending.values()) this.upsert(message);
      this.#pending.clear();
      this.#stick = true;
      this.#loading = false;
      this.#host.requestUpdate();
      await this.#host.updateComplete;
      if (current()) emit(this.#host, 'roomkey-history-loaded', { roomId, count: list.length });
    } catch (error) {
      if (current()) this.#options.onLoadError(error);
    } finally {
      if (current()) {
        this.#loading = false;
        this.#progress = undefined;
        this.#host.requestUpdate();
      }
    }
  }

  /**
   * A live message of this room: shown (or kept until the load finishes). Returns what to announce
   * to screen readers: the text of a new message from someone else, else ''.
   */
  receive(message: StoredMessage): string {
    liveMark('state');
    if (this.#loading) {
      this.#pending.set(message.messageId, message);
      return '';
    }
    const isNew = this.upsert(message);
    if (isNew && message.status === 'received' && !this.#stick) this.#newBelow++;
    // A delete also replaces the last announcement, which may still hold the deleted text.
    if (
      message.status === 'received' &&
      message.action === 'delete' &&
      this.#events.isDeleted(message.target!)
    )
      return `${message.senderUsername} deleted a message.`;
    if (isNew && message.status === 'membership') return membershipWords(message, this.#options.me?.());
    return isNew && message.status === 'received'
      ? `${message.senderUsername}: ${message.text.slice(0, 200)}`
      : '';
  }

  /**
   * Adds or replaces one message (the composer's "Sending…" rows too), or applies it when it is an
   * edit, delete or reaction; true when a new row appeared.
   */
  upsert(message: ChatMessage): boolean {
    const { event, changed } = this.#events.add(message);
    if (event) {
      // A held message that turned out to be an event leaves its row.
      if (this.#list.has(messageKey(message))) this.drop(messageKey(message));
      this.#dropDeletedTexts(changed);
      this.#host.requestUpdate();
      return false;
    }
    const isNew = this.#list.upsert(this.#withoutDeletedText(message));
    if (isNew) this.#rows.setKeys(this.#list.keys);
    this.#host.requestUpdate();
    return isNew;
  }

  /** A loaded history's rows: its events applied (in stream order), deleted texts dropped. */
  #rowsOf(list: readonly ChatMessage[]): ChatMessage[] {
    const rows = list.filter((m) => !this.#events.add(m).event);
    return rows.map((m) => this.#withoutDeletedText(m));
  }

  /** A deleted message keeps no text in memory: its row is replaced by one without it. */
  #withoutDeletedText(message: ChatMessage): ChatMessage {
    return 'text' in message &&
      message.text &&
      message.status !== 'sending' &&
      this.#events.isDeleted(message.messageId)
      ? { ...message, text: '' }
      : message;
  }

  #dropDeletedTexts(ids: readonly string[]): void {
    for (const id of ids) {
      const row = this.#list.get(id);
      if (row && this.#events.isDeleted(id)) this.#list.upsert(this.#withoutDeletedText(row));
    }
  }

  /** Removes the row with this key (see messageKey). */
  drop(key: string): void {
    if (!this.#list.drop(key)) return;
    this.#rows.setKeys(this.#list.keys);
    this.#host.requestUpdate();
  }

  /** Scrolls to the newest message and keeps following new ones. */
  follow(): void {
    this.#stick = true;
    this.#newBelow = 0;
    this.#host.requestUpdate();
  }

  /** Scrolls so the message with this id is at the top (a reply's quote was pressed). */
  scrollToMessage(messageId: string): void {
    const index = this.#list.indexOf(messageId);
    const scroller = this.#scroller;
    if (index < 0 || !scroller) return;
    this.#stick = false;
    scroller.scrollTop = this.#rows.offsetOf(index);
    this.#focusNext = `li[data-key="${messageId}"]`;
    this.#host.requestUpdate();
  }

  // ---- rendering ----

  /** The catch-up progress while loading (label and bar), else nothing. */
  renderProgress(): TemplateResult | typeof nothing {
    if (!this.#loading) return nothing;
    const progress = this.#progress;
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

  /** The scrolling history region; `showEmpty`: a loaded room without messages says so. */
  render(showEmpty: boolean): TemplateResult {
    const messages = this.#list.messages;
    const total = messages.length;
    const { start, end, before, after } = this.#range;
    const slice = messages.slice(start, end);
    const empty = total === 0 && !this.#loading && showEmpty;
    const client = this.#options.client?.();
    const canAct = Boolean(client?.sendEvent) && (this.#options.canWrite?.() ?? true);
    const row = (message: ChatMessage, i: number) => {
      const key = messageKey(message);
      if (message.status === 'membership') {
        const at = { index: start + i, count: total, previous: messages[start + i - 1] };
        return membershipRow(message, { ...at, me: this.#options.me?.() });
      }
      return messageRow(this.#events.shown(message), {
        index: start + i,
        count: total,
        previous: messages[start + i - 1],
        firstUnread: key === this.#unreadKey,
        expanded: this.#expanded.has(key),
        panel: this.#panel?.key === key ? this.#panel.kind : undefined,
        canAct,
        onAction: this.#onAction,
      });
    };
    const jump =
      !this.#stick && total > 0
        ? html`<button type="button" class="jump" part="jump-to-latest" @click=${() => this.follow()}>
            ${this.#newBelow > 0 ? `Jump to latest (${count(this.#newBelow, 'new message', 'new messages')})` : 'Jump to latest'}
          </button>`
        : nothing;
    return html`<div class="history-box">
    <div
      class="history"
      part="history"
      role="region"
      aria-label="Messages"
      aria-busy=${this.#loading ? 'true' : 'false'}
      tabindex="0"
      @scroll=${this.#onScroll}
    >
      <div style=${styleMap({ height: `${before}px` })}></div>
      <ol class="messages" part="messages">
        ${repeat(slice, messageKey, row)}
      </ol>
      <div style=${styleMap({ height: `${after}px` })}></div>
      ${empty ? html`<p class="empty hint">No messages yet. Say hello!</p>` : nothing}
    </div>
    ${jump}
    </div>`;
  }

  // ---- the rows' actions ----

  #onAction = (message: ShownMessage, action: RowAction): void => {
    if (message.status !== 'sent' && message.status !== 'received') return;
    const key = message.messageId;
    const row = `li[data-key="${key}"]`;
    switch (action.kind) {
      case 'reply':
        this.#open(undefined);
        this.#options.onReply?.({
          messageId: key,
          senderUsername: message.own ? 'You' : message.senderUsername,
          firstLine: firstLine(message.text),
        });
        return;
      case 'menu':
        this.#open({ key, kind: 'menu' }, `${row} [part=reply-button]`);
        return;
      case 'picker':
        this.#open({ key, kind: 'picker' }, `${row} [part=reaction-picker] button`);
        return;
      case 'react': {
        const undo = this.#events.reactedWith(key, action.reaction);
        this.#open(undefined);
        void this.#send({ action: undo ? 'unreact' : 'react', target: key, reaction: action.reaction });
        return;
      }
      case 'edit':
        this.#open({ key, kind: 'edit' }, '#edit-input');
        return;
      case 'save-edit':
        this.#open(undefined);
        if (action.text !== message.text) void this.#send({ action: 'edit', target: key, text: action.text });
        return;
      case 'delete':
        this.#open({ key, kind: 'confirm-delete' }, '[part=confirm-delete]');
        return;
      case 'confirm-delete':
        this.#open(undefined);
        void this.#send({ action: 'delete', target: key });
        return;
      case 'cancel':
        this.#open(undefined, `${row} [part=actions-button]`);
        return;
      case 'expand':
        if (!this.#expanded.delete(key)) this.#expanded.add(key);
        this.#host.requestUpdate();
        return;
      case 'jump':
        this.scrollToMessage(action.messageId);
        return;
    }
  };

  #open(panel: { key: string; kind: RowPanel } | undefined, focus?: string): void {
    this.#panel = panel;
    this.#focusNext = focus;
    this.#host.requestUpdate();
  }

  /** Sends one event and applies what the client stored (its own events are not echoed back). */
  async #send(event: MessageEventInput): Promise<void> {
    const client = this.#options.client?.();
    if (!client?.sendEvent) return;
    const roomId = this.#roomOf(event);
    if (!roomId) return;
    const events = this.#events;
    try {
      const stored = await client.sendEvent(roomId, event);
      if (events === this.#events) this.upsert(stored);
    } catch (error) {
      this.#options.onActionError?.(error);
    }
  }

  /** The room of the row an event acts on (every row of this history is of one room). */
  #roomOf(event: MessageEventInput): string {
    const id = event.action === 'reply' ? event.replyTo : event.target;
    return this.#list.get(id)?.roomId ?? '';
  }

  // ---- windowing (the host's update cycle) ----

  hostConnected(): void {
    this.#observe();
  }

  hostDisconnected(): void {
    if (this.#layoutFrame !== undefined) cancelAnimationFrame(this.#layoutFrame);
    this.#layoutFrame = undefined;
    this.#resize?.disconnect();
    this.#resize = undefined;
    this.#observed = undefined;
  }

  /** Before rendering: which rows to render, and which row keeps its place if not following. */
  hostUpdate(): void {
    const scroller = this.#scroller;
    if (!scroller) return;
    // An anchor taken before a render whose frame has not come yet is still the one to keep.
    if (this.#layoutFrame === undefined) this.#anchor = this.#stick ? undefined : this.#findAnchor(scroller);
    this.#range = this.#rows.range(this.#top(scroller), scroller.clientHeight, OVERSCAN);
  }

  /**
   * After rendering: focus what asked for it now; while following the newest message, measuring
   * the rows and scrolling to the bottom need a layout, done once in the next frame before it
   * paints instead of forced in this task: a live message is in the DOM without waiting for it,
   * and a burst of renders in one frame is laid out once.
   */
  hostUpdated(): void {
    liveMark('rendered');
    this.#observe();
    const scroller = this.#scroller;
    if (!scroller) return;
    if (this.#focusNext) {
      const target = scroller.querySelector<HTMLElement>(this.#focusNext);
      if (target) {
        this.#focusNext = undefined;
        if (target.localName === 'li') target.tabIndex = -1;
        target.focus({ preventScroll: true });
      }
    }
    // Renders that the frame's own layout asks for (a new range) are laid out in that frame; a
    // reader scrolled up keeps their place at once (a scroll of theirs before the frame would be undone).
    if (this.#inFrame || !this.#stick) {
      this.#layout();
      return;
    }
    this.#layoutFrame ??= requestAnimationFrame(() => {
      this.#layoutFrame = undefined;
      this.#inFrame = true;
      setTimeout(() => {
        this.#inFrame = false;
      });
      this.#layout();
    });
  }

  /** Measures the rendered rows, then scrolls to the newest or back to the anchor. */
  #layout(): void {
    const scroller = this.#scroller;
    if (!scroller) return;
    for (const row of scroller.querySelectorAll<HTMLElement>('li[data-key]')) {
      this.#rows.measure(row.dataset['key']!, row.getBoundingClientRect().height);
    }
    if (this.#stick) {
      scroller.scrollTop = scroller.scrollHeight;
      this.#scrolledTo = scroller.scrollTop;
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

  get #scroller(): HTMLElement | null {
    return this.#host.renderRoot.querySelector<HTMLElement>('.history');
  }

  /** Where the window starts: the bottom while following, else the scroll position. */
  #top(scroller: HTMLElement): number {
    return this.#stick ? Math.max(0, this.#rows.totalHeight - scroller.clientHeight) : scroller.scrollTop;
  }

  #reset(list: readonly ChatMessage[]): void {
    this.#list.reset(list);
    this.#rows.setKeys(this.#list.keys);
    this.#range = EMPTY_RANGE;
    this.#host.requestUpdate();
  }

  /** Re-measures rows when the width changes (text wraps differently) and re-windows on any resize. */
  #observe(): void {
    const scroller = this.#scroller;
    if (!scroller || !this.#host.isConnected || scroller === this.#observed) return;
    this.#resize?.disconnect();
    this.#observed = scroller;
    this.#width = scroller.clientWidth;
    this.#resize = new ResizeObserver(() => {
      if (Math.abs(scroller.clientWidth - this.#width) > 1) {
        this.#width = scroller.clientWidth;
        this.#rows.reset();
      }
      this.#host.requestUpdate();
    });
    this.#resize.observe(scroller);
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
    const next = this.#rows.range(this.#top(scroller), scroller.clientHeight, OVERSCAN);
    const now = this.#range;
    if (
      next.start !== now.start ||
      next.end !== now.end ||
      Math.abs(next.before - now.before) >= 1 ||
      Math.abs(next.after - now.after) >= 1
    ) {
      this.#host.requestUpdate();
    }
  }

  #onScroll = (): void => {
    const scroller = this.#scroller;
    if (!scroller) return;
    // The event of the frame's own scroll to the newest, dispatched after a later render already
    // grew the history: that render's frame scrolls again (a reader's scroll moved it elsewhere).
    if (this.#layoutFrame !== undefined && Math.abs(scroller.scrollTop - this.#scrolledTo) < 1) return;
    const stick = scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop <= STICK_PX;
    if (stick !== this.#stick) {
      this.#stick = stick;
      if (stick) this.#newBelow = 0;
      // The "Jump to latest" button comes and goes with it.
      this.#host.requestUpdate();
    }
    this.#checkRange();
  };
}

/**
 * The first message from someone else the reader had not read when the history loaded, after one
 * they had (or wrote): where "New since you left" goes. None when everything, or nothing, was read.
 */
function firstUnreadKey(rows: readonly ChatMessage[]): string | undefined {
  let seen = false;
  for (const m of rows) {
    if (m.status === 'received' && !m.read) return seen ? m.messageId : undefined;
    if (m.own || (m.status === 'received' && m.read)) seen = true;
  }
  return undefined;
}
