import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { ClientController } from './client/client-controller.ts';
import type { PasskeyStatus, RoomKeyClient } from './client/types.ts';
import type { ErrorDetail } from './events.ts';
import { errorText } from './private-errors.ts';
import { emit } from './private-events.ts';
import { base } from './private-styles.ts';

/**
 * Unlock RoomKey with a passkey (WebAuthn PRF) instead of typing the password. Signed in, it offers
 * to add a passkey (or to remove it, or says plainly that this browser cannot); locked, it shows
 * "Unlock with a passkey" when one is enrolled — the password form stays beside it as the
 * fallback. It shows nothing with a client that cannot prompt for passkeys itself (the extension
 * keeps its own passkey option in its own window, where the keys are).
 *
 * @tagname roomkey-passkey
 * @summary Add, use and remove a passkey that unlocks RoomKey on this device.
 *
 * @fires {CustomEvent<ErrorDetail>} roomkey-error - Adding, removing or unlocking failed; `detail.message` says why.
 * @fires {CustomEvent<null>} roomkey-unlocked - The passkey unlocked the keys.
 *
 * @csspart passkey - The section.
 * @csspart passkey-status - What is true now (on, off, or why not here).
 * @csspart add-passkey - The "Add a passkey" button.
 * @csspart remove-passkey - The "Remove passkey" button.
 * @csspart unlock-passkey - The "Unlock with a passkey" button.
 * @csspart error - The error message.
 */
export class RoomKeyPasskey extends LitElement {
  static override properties = {
    client: { attribute: false },
    _status: { state: true },
    _busy: { state: true },
    _error: { state: true },
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
        gap: 0.4em;
      }
    `,
  ];

  declare client: RoomKeyClient | undefined;
  declare _status: PasskeyStatus | undefined;
  declare _busy: boolean;
  declare _error: string;

  readonly #clients = new ClientController(this, {
    onClient: () => void this.#load(),
    onEvent: (type) => type === 'keys' && void this.#load(),
  });

  constructor() {
    super();
    this.client = undefined;
    this._status = undefined;
    this._busy = false;
    this._error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(): Promise<void> {
    const client = this.#clients.client;
    if (!client?.passkeyStatus || this.#clients.keys === 'signed-out') {
      this._status = undefined;
      return;
    }
    try {
      this._status = await client.passkeyStatus();
    } catch (error) {
      this._status = { state: 'unavailable', message: errorText(error) };
    }
  }

  protected override render(): TemplateResult | typeof nothing {
    const status = this._status;
    const keys = this.#clients.keys;
    if (!status || keys === 'signed-out') return nothing;
    if (keys === 'locked') {
      if (status.state !== 'on') return nothing;
      return html`<section part="passkey" aria-label="Passkey">
        ${this.#button('unlock-passkey', 'Unlock with a passkey', 'Waiting for your passkey…', this.#onUnlock)}
        <p class="error" part="error" role="alert">${this._error}</p>
      </section>`;
    }
    return html`<section part="passkey" aria-label="Passkey">
      <p class="hint" part="passkey-status" role="status">${status.message}</p>
      ${
        status.state === 'off'
          ? this.#button('add-passkey', 'Add a passkey', 'Waiting for your passkey…', this.#onAdd)
          : status.state === 'on'
            ? this.#button('remove-passkey', 'Remove passkey', 'Removing…', this.#onRemove, 'secondary')
            : nothing
      }
      <p class="error" part="error" role="alert">${this._error}</p>
    </section>`;
  }

  #button(part: string, idle: string, busy: string, onClick: () => void, kind = ''): TemplateResult {
    return html`<div class="actions">
      <button part=${part} class=${kind} type="button" aria-disabled=${this._busy ? 'true' : 'false'} @click=${onClick}>
        ${this._busy ? busy : idle}
      </button>
    </div>`;
  }

  #onAdd = () => this.#run('add-passkey', async (c) => (this._status = await c.addPasskey!()));
  #onRemove = () => this.#run('remove-passkey', async (c) => (this._status = await c.removePasskey!()));
  #onUnlock = () =>
    this.#run('unlock-passkey', async (c) => {
      await c.unlockWithPasskey!();
      emit(this, 'roomkey-unlocked', null);
    });

  async #run(
    action: ErrorDetail['action'],
    work: (client: RoomKeyClient) => Promise<unknown>,
  ): Promise<void> {
    const client = this.#clients.client;
    if (this._busy || !client) return;
    this._busy = true;
    this._error = '';
    try {
      await work(client);
    } catch (error) {
      this._error = errorText(error);
      emit(this, 'roomkey-error', { action, message: this._error, error });
    } finally {
      this._busy = false;
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'roomkey-passkey': RoomKeyPasskey;
  }
}
