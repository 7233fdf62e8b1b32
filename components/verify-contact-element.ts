import { css, html, LitElement, type TemplateResult } from 'lit';
import { ClientController } from './client/client-controller.ts';
import type { ContactView, RoomKeyClient } from './client/types.ts';
import { errorText } from './private-errors.ts';
import { base } from './private-styles.ts';
import { VerifyContact, verifyStyles } from './verify-contact.ts';

/**
 * One contact's safety number on a page of its own: the members panel's verify dialog
 * (verify-contact.ts), opened for `user-id` once the keys are ready, following the client's
 * `contacts` events. The RoomKey extension's verify window is this element over the extension's
 * own client, which may verify and accept key changes; a client that may not shows "Verify in
 * RoomKey" as the members panel does.
 *
 * @tagname roomkey-verify-contact
 * @summary Compare, scan and confirm one contact's safety number, or review their key change.
 *
 * @fires {CustomEvent<ErrorDetail>} roomkey-error - Verifying or accepting failed; `detail.message` says why.
 *
 * @csspart verify-dialog - The dialog (see `<roomkey-room>`'s verify parts).
 * @csspart status - Why nothing is shown yet (keys locked, contact unknown).
 * @csspart reopen - Shows the dialog again after it was closed.
 */
export class RoomKeyVerifyContact extends LitElement {
  static override properties = {
    client: { attribute: false },
    userId: { attribute: 'user-id' },
    _view: { state: true },
    _error: { state: true },
  };

  static override styles = [
    base,
    verifyStyles,
    css`
      :host {
        display: block;
      }
    `,
  ];

  declare client: RoomKeyClient | undefined;
  declare userId: string;
  declare _view: ContactView | undefined;
  declare _error: string;

  readonly #clients = new ClientController(this, {
    events: ['contacts'],
    onClient: () => void this.#load(true),
    onEvent: (type, detail) => {
      if (type === 'keys') void this.#load(true);
      const ids = type === 'contacts' ? (detail as { userIds: string[] }).userIds : [];
      if (ids.includes(this.userId)) void this.#load(false);
    },
  });
  readonly #verify = new VerifyContact(this, {
    client: () => this.#clients.client,
    changed: (view) => {
      this._view = view;
    },
  });

  constructor() {
    super();
    this.client = undefined;
    this.userId = '';
    this._view = undefined;
    this._error = '';
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('userId')) void this.#load(true);
  }

  /** The contact as the client has it now; `open` shows the dialog with it. */
  async #load(open: boolean): Promise<void> {
    const client = this.#clients.client;
    if (!client?.contacts || this.#clients.keys !== 'ready' || !this.userId) return;
    try {
      const [view] = await client.contacts([this.userId]);
      if (!view) return;
      this._view = view;
      this._error = '';
      this.#verify.update(view);
      if (open) await this.#verify.open(view);
    } catch (error) {
      this._error = errorText(error);
    }
  }

  override render(): TemplateResult {
    const view = this._view;
    const status =
      this.#clients.keys !== 'ready'
        ? 'Unlock RoomKey to see this contact’s safety number.'
        : (this._error ?? '') || (view ? '' : 'Looking up the contact…');
    return html`<p part="status" role="status">${status}</p>
      ${
        view
          ? html`<button part="reopen" type="button" @click=${() => void this.#verify.open(view)}>
              Show ${view.username}'s safety number
            </button>`
          : ''
      }
      ${this.#verify.render()}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'roomkey-verify-contact': RoomKeyVerifyContact;
  }
}
