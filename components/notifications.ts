import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ClientController } from './client/client-controller.ts';
import type { PushStatus, RoomKeyClient, RoomNotification } from './client/types.ts';
import { errorText } from './private-errors.ts';
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
 * With a client that offers Web Push (in-page, with a service worker), a control asks the user's
 * consent to be notified on this device while RoomKey is closed (an OS notification after a
 * content-free push), says truthfully whether it is on, and turns it off again.
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
 * @csspart push - The Web Push control (only with a client that offers it, while unlocked).
 * @csspart push-status - Whether this device is notified while RoomKey is closed, in words (`data-state`: on, off, unavailable).
 * @csspart push-button - Turns those notifications on (asking the browser's permission) or off.
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
    _push: { state: true },
    _pushBusy: { state: true },
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
      .push {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5em;
        background: var(--roomkey-background, #ffffff);
        border: 1px solid var(--roomkey-border-color, #6b6f76);
        border-radius: var(--roomkey-radius, 6px);
        padding: 0.4em 0.6em;
      }
      .push-status {
        flex: 1;
        min-width: 10em;
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
  declare private _push: PushStatus | undefined;
  declare private _pushBusy: boolean;

  readonly #clients = new ClientController(this, {
    events: ['notification'],
    onEvent: (type, detail) => {
      if (type === 'notification') this.show(detail as RoomNotification);
      if (type === 'keys') void this.#loadPush();
    },
    onClient: () => void this.#loadPush(),
  });
  #nextId = 1;
  #paused = false;

  constructor() {
    super();
    this.client = undefined;
    this.duration = 8000;
    this.max = 4;
    this._toasts = [];
    this._push = undefined;
    this._pushBusy = false;
  }

  /** Web Push on this device as last read from the client (undefined: the client has none). */
  get push(): PushStatus | undefined {
    return this._push;
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
      ${this.#renderStatus()} ${this.#renderPush()}
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
    // Locked or signed out, RoomKey is not connected on purpose: "offline" would not be true.
    if (keys === 'ready' && (connection === 'offline' || connection === 'reconnecting')) {
      text = `${connectionText(connection)} New-message notifications will resume when RoomKey is back online.`;
    } else if (keys === 'locked') {
      text = `${keyText(keys)} Notifications show once RoomKey is unlocked.`;
    }
    if (!text) return nothing;
    return html`<p class="notice" part="status" role="status">${text}</p>`;
  }

  #renderPush(): TemplateResult | typeof nothing {
    const push = this._push;
    if (!push || this.#clients.keys !== 'ready') return nothing;
    const on = push.state === 'on';
    return html`<div class="push" part="push">
      <span class="push-status" part="push-status" role="status" data-state=${push.state}>${push.message}</span>
      ${
        push.state === 'unavailable'
          ? nothing
          : html`<button part="push-button" type="button" ?disabled=${this._pushBusy} @click=${this.#togglePush}>
            ${on ? 'Turn off notifications when closed' : 'Notify me when RoomKey is closed'}
          </button>`
      }
    </div>`;
  }

  async #loadPush(): Promise<void> {
    const client = this.#clients.client;
    if (!client?.pushStatus || this.#clients.keys !== 'ready') {
      this._push = undefined;
      return;
    }
    this._push = await client
      .pushStatus()
      .catch((e: Error) => ({ state: 'unavailable' as const, message: errorText(e) }));
  }

  /** The user's click: the browser's permission is asked only from here. */
  #togglePush = async (): Promise<void> => {
    const client = this.#clients.client;
    if (!client || this._pushBusy) return;
    this._pushBusy = true;
    try {
      const next = this._push?.state === 'on' ? client.disablePush?.() : client.enablePush?.();
      if (next) this._push = await next;
    } catch (error) {
      this._push = { state: this._push?.state ?? 'off', message: (error as Error).message };
    } finally {
      this._pushBusy = false;
    }
  };

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
