/**
 * The history of `<roomkey-room>`: loads a room's messages with catch-up progress, keeps live
 * ones that arrive meanwhile, and renders only the rows near the viewport (heights measured as
 * they render), so thousands of messages stay smooth. At the bottom it follows new messages;
 * higher up it keeps what is on screen where it is. A Lit reactive controller. Internal.
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
import type { ChatMessage, HistoryProgress, RoomKeyClient, StoredMessage } from './client/types.ts';
import { emit } from './private-events.ts';
import { messageRow } from './private-message.ts';
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

export interface RoomHistoryOptions {
  /** Loading failed (not called for a load that a newer one replaced). */
  onLoadError(error: unknown): void;
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
`;

export class RoomHistory implements ReactiveController {
  readonly #host: HistoryHost;
  readonly #options: RoomHistoryOptions;
  readonly #list = new MessageList();
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
  #resize: ResizeObserver | undefined;
  #observed: HTMLElement | undefined;
  #width = 0;

  constructor(host: HistoryHost, options: RoomHistoryOptions) {
    this.#host = host;
    this.#options = options;
    host.addController(this);
  }

  /** The messages loaded so far, oldest first. */
  get messages(): readonly ChatMessage[] {
    return this.#list.messages;
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
        onProgress: (progress) => {
          if (!current()) return;
          this.#progress = progress;
          this.#host.requestUpdate();
        },
      });
      if (!current()) return;
      this.#reset(list);
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
    if (this.#loading) {
      this.#pending.set(message.messageId, message);
      return '';
    }
    const isNew = this.upsert(message);
    return isNew && message.status === 'received'
      ? `${message.senderUsername}: ${message.text.slice(0, 200)}`
      : '';
  }

  /** Adds or replaces one message (the composer's "Sending…" rows too); true when it was new. */
  upsert(message: ChatMessage): boolean {
    const isNew = this.#list.upsert(message);
    if (isNew) this.#rows.setKeys(this.#list.keys);
    this.#host.requestUpdate();
    return isNew;
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
    return html`<div
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
        ${repeat(slice, messageKey, (message, i) => messageRow(message, start + i, total))}
      </ol>
      <div style=${styleMap({ height: `${after}px` })}></div>
      ${empty ? html`<p class="empty hint">No messages yet. Say hello!</p>` : nothing}
    </div>`;
  }

  // ---- windowing (the host's update cycle) ----

  hostConnected(): void {
    this.#observe();
  }

  hostDisconnected(): void {
    this.#resize?.disconnect();
    this.#resize = undefined;
    this.#observed = undefined;
  }

  /** Before rendering: which rows to render, and which row keeps its place if not following. */
  hostUpdate(): void {
    const scroller = this.#scroller;
    if (!scroller) return;
    this.#anchor = this.#stick ? undefined : this.#findAnchor(scroller);
    this.#range = this.#rows.range(this.#top(scroller), scroller.clientHeight, OVERSCAN);
  }

  /** After rendering: measure the rows, then scroll to the newest or back to the anchor. */
  hostUpdated(): void {
    this.#observe();
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
    this.#stick = scroller.scrollHeight - scroller.clientHeight - scroller.scrollTop <= STICK_PX;
    this.#checkRange();
  };
}
