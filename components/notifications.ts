import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ClientController } from './client/client-controller.ts';
import type { RoomKeyClient, RoomNotification } from './client/types.ts';
import { emit } from './private-events.ts';
import { connectionText, keyText } from './private-status.ts';
import { base } from './private-styles.ts';

interface Toast {
  id: number;
  notification: RoomNotification;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * In-app toasts for the client's App Notifications ("bob in Project X: preview"). New toasts are
 * announced politely (aria-live). A toast stays while the pointer or focus is on the toasts, and
 * otherwise goes after `duration` ms (0 keeps it). Clicking a toast fires
 * `roomkey-notification-click` with the room id (the page opens that room) and dismisses it;
 * its × button or Escape dismisses it. When notifications cannot arrive (offline, locked), a
 * short note says so.
 *
 * @tagname roomkey-notifications
 * @summary In-app notification toasts.
 *
 * @attr {number} duration - How long a toast stays, in ms (default 8000; 0 = until dismissed).
 * @attr {number} max - Most toasts shown at once; older ones give way (default 4).
 *
 * @fires {CustomEvent<NotificationDetail>} roomkey-notification-show - A toast is about to show; `preventDefault()` suppresses it (e.g. for the room already on screen).
 * @fires {CustomEvent<NotificationDetail>} roomkey-notification-click - The user activated a toast; open `detail.roomId`.
 *
 * @csspart region - The labelled region holding the toasts.
 * @csspart status - The note shown when notifications cannot arrive (offline, locked…).
 * @csspart list - The list of toasts (aria-live).
 * @csspart toast - One toast.
 * @csspart toast-open - The button that opens the room (covers the toast's text).
 * @csspart toast-title - "sender in room".
 * @csspart toast-preview - The decrypted preview, or "New message".
 * @csspart toast-dismiss - The dismiss (×) button.
 *
 * @cssprop --roomkey-font - Font family.
 * @cssprop --roomkey-font-size - Base font size.
 * @cssprop --roomkey-color - Text color.
 * @cssprop --roomkey-background - Toast background.
 * @cssprop --roomkey-muted - Preview text color.
 * @cssprop --roomkey-accent - Toast accent border.
 * @cssprop --roomkey-border-color - Toast border.
 * @cssprop --roomkey-radius - Corner radius.
 * @cssprop --roomkey-focus-ring - Focus outline color.
 * @cssprop --roomkey-toast-width - Width of a toast (default 22rem).
 * @cssprop --roomkey-toast-shadow - Shadow of a toast.
 * @cssprop --roomkey-notice-background - Background of the status note.
 * @cssprop --roomkey-notice-color - Text of the status note.
 */
export class RoomKeyNotifications extends LitElement {
  static override properties = {
    client: { attribute: false },
    duration: { type: Number },
    max: { type: Number },
    _toasts: { state: true },
  };

  static override styles = [
    base,
    css`
      :host {
        display: block;
        position: fixed;
        inset-block-end: 1rem;
        inset-inline-end: 1rem;
        z-index: 1000;
        background: transparent;
        width: var(--roomkey-toast-width, 22rem);
        max-width: calc(100vw - 2rem);
      }
      section {
        display: flex;
        flex-direction: column;
        gap: 0.5em;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.5em;
      }
      li {
        display: flex;
        align-items: stretch;
        background: var(--roomkey-background, #ffffff);
        border: 1px solid var(--roomkey-border-color, #6b6f76);
        border-inline-start: 4px solid var(--roomkey-accent, #0b57d0);
        border-radius: var(--roomkey-radius, 6px);
        box-shadow: var(--roomkey-toast-shadow, 0 4px 16px rgb(0 0 0 / 0.18));
        animation: roomkey-toast-in 180ms ease-out;
      }
      .open {
        flex: 1;
        min-width: 0;
        display: flex;
        flex-direction: column;
        align-items: flex-start;
        gap: 0.1em;
        text-align: start;
        background: transparent;
        color: inherit;
        border: none;
        border-radius: var(--roomkey-radius, 6px);
      }
      .title {
        font-weight: 600;
      }
      .preview {
        color: var(--roomkey-muted, #4a4f57);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        max-width: 100%;
      }
      .dismiss {
        background: transparent;
        color: inherit;
        border: none;
        font-size: 1.2em;
        line-height: 1;
        padding: 0.4em 0.6em;
      }
      @keyframes roomkey-toast-in {
        from {
          opacity: 0;
          transform: translateY(0.75rem);
        }
      }
    `,
  ];

  /** The client to use; when unset, the default set by `setDefaultClient()`. */
  declare client: RoomKeyClient | undefined;
  /** How long a toast stays, in ms; 0 keeps toasts until dismissed. */
  declare duration: number;
  /** Most toasts shown at once. */
  declare max: number;
  declare private _toasts: readonly Toast[];

  readonly #clients = new ClientController(this, {
    events: ['notification'],
    onEvent: (type, detail) => {
      if (type === 'notification') this.show(detail as RoomNotification);
    },
  });
  #nextId = 1;
  #paused = false;

  constructor() {
    super();
    this.client = undefined;
    this.duration = 8000;
    this.max = 4;
    this._toasts = [];
  }

  /** The notifications on screen, oldest first. */
  get notifications(): readonly RoomNotification[] {
    return this._toasts.map((t) => t.notification);
  }

  /** Shows a toast (as if the client had delivered it), unless a `roomkey-notification-show` listener cancels it. */
  show(notification: RoomNotification): void {
    const allowed = emit(this, 'roomkey-notification-show', detailOf(notification), { cancelable: true });
    if (!allowed) return;
    const toast: Toast = { id: this.#nextId++, notification, timer: undefined };
    const kept = this._toasts.slice(Math.max(0, this._toasts.length - Math.max(1, this.max) + 1));
    for (const gone of this._toasts) if (!kept.includes(gone)) clearTimeout(gone.timer);
    this._toasts = [...kept, toast];
    if (!this.#paused) this.#arm(toast);
  }

  /** Removes every toast. */
  clear(): void {
    for (const toast of this._toasts) clearTimeout(toast.timer);
    this._toasts = [];
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.clear();
  }

  protected override willUpdate(_changed: PropertyValues): void {
    this.#clients.sync();
  }

  protected override render(): TemplateResult {
    return html`<section
      part="region"
      aria-label="RoomKey notifications"
      @mouseenter=${this.#pause}
      @mouseleave=${this.#resume}
      @focusin=${this.#pause}
      @focusout=${this.#onFocusOut}
    >
      ${this.#renderStatus()}
      <ol part="list" aria-live="polite" aria-relevant="additions">
        ${repeat(
          this._toasts,
          (t) => t.id,
          (t) => this.#renderToast(t),
        )}
      </ol>
    </section>`;
  }

  #renderStatus(): TemplateResult | typeof nothing {
    const connection = this.#clients.connection;
    const keys = this.#clients.keys;
    let text = '';
    if (connection === 'offline' || connection === 'reconnecting') {
      text = `${connectionText(connection)} New-message notifications will resume when RoomKey is back online.`;
    } else if (keys === 'locked') {
      text = `${keyText(keys)} Notifications show once RoomKey is unlocked.`;
    }
    if (!text) return nothing;
    return html`<p class="notice" part="status" role="status">${text}</p>`;
  }

  #renderToast(toast: Toast): TemplateResult {
    const n = toast.notification;
    const title = `${n.senderUsername} in ${n.roomName || 'a room'}`;
    return html`<li part="toast" data-id=${toast.id} @keydown=${(e: KeyboardEvent) => this.#onToastKey(e, toast)}>
      <button class="open" part="toast-open" type="button" @click=${() => this.#activate(toast)}>
        <span class="title" part="toast-title">${title}</span>
        <span class="preview" part="toast-preview">${n.preview ?? 'New message'}</span>
      </button>
      <button class="dismiss" part="toast-dismiss" type="button" @click=${() => this.#dismiss(toast, true)}>
        <span aria-hidden="true">×</span><span class="visually-hidden">Dismiss notification: ${title}</span>
      </button>
    </li>`;
  }

  #arm(toast: Toast): void {
    clearTimeout(toast.timer);
    toast.timer =
      this.duration > 0 ? setTimeout(() => this.#dismiss(toast, false), this.duration) : undefined;
  }

  #pause = (): void => {
    this.#paused = true;
    for (const toast of this._toasts) {
      clearTimeout(toast.timer);
      toast.timer = undefined;
    }
  };

  #resume = (): void => {
    if (this.matches(':focus-within') || this.matches(':hover')) return;
    this.#paused = false;
    for (const toast of this._toasts) this.#arm(toast);
  };

  #onFocusOut = (event: FocusEvent): void => {
    const next = event.relatedTarget as Node | null;
    if (next && this.shadowRoot?.contains(next)) return;
    this.#paused = this.matches(':hover');
    if (!this.#paused) for (const toast of this._toasts) this.#arm(toast);
  };

  #activate(toast: Toast): void {
    emit(this, 'roomkey-notification-click', detailOf(toast.notification));
    this.#dismiss(toast, false);
  }

  #onToastKey(event: KeyboardEvent, toast: Toast): void {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    this.#dismiss(toast, true);
  }

  /** Removes a toast; with `keepFocus`, focus moves to a neighbouring toast when this one had it. */
  async #dismiss(toast: Toast, keepFocus: boolean): Promise<void> {
    clearTimeout(toast.timer);
    const at = this._toasts.indexOf(toast);
    if (at < 0) return;
    const hadFocus = keepFocus && this.matches(':focus-within');
    this._toasts = this._toasts.filter((t) => t !== toast);
    if (!hadFocus) return;
    await this.updateComplete;
    const rest = this.renderRoot.querySelectorAll<HTMLButtonElement>('.open');
    const next = rest[Math.min(at, rest.length - 1)];
    next?.focus();
  }
}

function detailOf(notification: RoomNotification) {
  return { roomId: notification.roomId, messageId: notification.messageId, notification };
}

declare global {
  interface HTMLElementTagNameMap {
    'roomkey-notifications': RoomKeyNotifications;
  }
}
