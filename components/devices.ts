import { css, html, LitElement, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { ClientController } from './client/client-controller.ts';
import type { DeviceView, PairingApprovalFlow, PairingOfferFlow, RoomKeyClient } from './client/types.ts';
import { qrSvg, scanQr } from './devices-qr.ts';
import { type DeviceRowHandlers, deviceRow } from './devices-row.ts';
import type { ErrorDetail } from './events.ts';
import { errorText } from './private-errors.ts';
import { emit } from './private-events.ts';
import { base } from './private-styles.ts';

const PAIRING_PREFIX = 'roomkey-pair:';
/** How long (s) the list follows a new device's registration after the identity was sent. */
const NEW_DEVICE_CHECKS = 60;

type View = 'list' | 'scan' | 'confirm' | 'offer-form' | 'offer';

/**
 * The user's devices and adding one by QR code. Signed in: this device, the others with when each
 * was last seen (in whole days), a rename action (names are sealed to the user's key: only the
 * user's devices read them) and a revoke action, and "Add a device", which reads the new device's code with the
 * camera (or from pasted text), shows the confirmation code, and sends the identity only after the
 * user confirmed that both screens show the same code. Signed out: "Pair with a signed-in device"
 * shows this device's one-shot code (valid 2 minutes), then the confirmation code to compare, then
 * signs in. With the extension, pairing happens in the extension's popup, never in a page: the
 * element then says so.
 *
 * @tagname roomkey-devices
 * @summary This user's devices; add one by QR code, revoke one.
 *
 * @fires {CustomEvent<ErrorDetail>} roomkey-error - Listing, renaming, revoking or pairing failed; `detail.message` says why.
 * @fires {CustomEvent<{ deviceName: string }>} roomkey-device-added - This device sent its identity to a new device.
 * @fires {CustomEvent<{ username: string }>} roomkey-paired - This (new) device received the identity and signed in.
 *
 * @csspart devices - The list of devices.
 * @csspart device - One device (`data-current` on this one, `data-revoked` on a revoked one).
 * @csspart device-name - Its name.
 * @csspart device-seen - When it was last seen, in words.
 * @csspart revoke - The revoke button of a device (asks again before it revokes).
 * @csspart rename - The rename button of a device (when the client offers renaming).
 * @csspart rename-form - The inline form that renames a device.
 * @csspart rename-input - Its name field.
 * @csspart save-name - Its Save button.
 * @csspart cancel-rename - Its Cancel button.
 * @csspart add-device - The "Add a device" button.
 * @csspart video - The camera view while scanning.
 * @csspart paste - The field for a pasted pairing code.
 * @csspart read-code - The button that reads the pasted code.
 * @csspart code - The six-digit confirmation code.
 * @csspart confirm - "It matches: add the device".
 * @csspart cancel - Cancel (nothing is sent).
 * @csspart password - This device's password field (signed out).
 * @csspart show-code - The "Show pairing code" button (signed out).
 * @csspart qr - The QR code this device shows.
 * @csspart qr-text - The same code as text, to copy.
 * @csspart status - What is happening, in words (aria-live).
 * @csspart error - The error message.
 *
 * @cssprop --roomkey-qr-size - Width of the QR code (default 16rem).
 * @cssprop --roomkey-muted - Secondary text color.
 */
export class RoomKeyDevices extends LitElement {
  static override properties = {
    client: { attribute: false },
    _view: { state: true },
    _devices: { state: true },
    _status: { state: true },
    _error: { state: true },
    _busy: { state: true },
    _code: { state: true },
    _offer: { state: true },
    _revoking: { state: true },
    _renaming: { state: true },
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
        gap: 0.6em;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: 0.4em;
      }
      li {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 0.5em;
      }
      .name {
        font-weight: 600;
      }
      .seen,
      .hint {
        color: var(--roomkey-muted, #4a4f57);
      }
      .code {
        font-size: 2em;
        font-variant-numeric: tabular-nums;
        letter-spacing: 0.15em;
      }
      svg {
        width: var(--roomkey-qr-size, 16rem);
        max-width: 100%;
        height: auto;
      }
      video {
        width: 100%;
        max-width: 24rem;
        background: #000;
      }
      textarea {
        width: 100%;
        font-family: monospace;
      }
      .qr-text {
        font-family: monospace;
        word-break: break-all;
        font-size: 0.8em;
      }
      .rename {
        display: flex;
        flex-wrap: wrap;
        align-items: end;
        gap: 0.5em;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5em;
      }
    `,
  ];

  declare client: RoomKeyClient | undefined;
  declare _view: View;
  declare _devices: DeviceView[];
  declare _status: string;
  declare _error: string;
  declare _busy: boolean;
  declare _code: string;
  declare _offer: PairingOfferFlow | undefined;
  declare _revoking: string;
  declare _renaming: string;

  #approval: PairingApprovalFlow | undefined;
  #stopCamera: (() => void) | undefined;

  readonly #clients = new ClientController(this, {
    onClient: () => this.#reset(),
    onEvent: (type) => type === 'keys' && this.#reset(),
  });

  constructor() {
    super();
    this._view = 'list';
    this._devices = [];
    this._status = '';
    this._error = '';
    this._busy = false;
    this._code = '';
    this._revoking = '';
    this._renaming = '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopCamera?.();
    void this.#approval?.cancel().catch(() => undefined);
    void this._offer?.cancel().catch(() => undefined);
  }

  override render(): TemplateResult | typeof nothing {
    const client = this.#clients.client;
    if (!client) return nothing;
    const keys = this.#clients.keys;
    if (!client.listDevices && !client.offerPairing) {
      return html`<section><p part="status" class="hint">
        Manage your devices and add a new one in the RoomKey extension’s window.
      </p></section>`;
    }
    if (keys === 'locked') {
      return html`<section><p part="status" class="hint">Unlock RoomKey to see your devices.</p></section>`;
    }
    if (keys === 'signed-out') return this.#signedOut(client);
    return this.#signedIn();
  }

  #signedIn(): TemplateResult {
    switch (this._view) {
      case 'scan':
        return html`<section aria-label="Add a device">
          <h2>Add a device</h2>
          <p class="hint">Point the camera at the code the new device shows, or paste its text.</p>
          <video part="video" aria-label="Camera"></video>
          <label>Pairing code text
            <textarea part="paste" rows="3" spellcheck="false" autocomplete="off"></textarea>
          </label>
          <div class="actions">
            <button part="read-code" type="button" @click=${this.#onPasted}>Read pasted code</button>
            <button part="cancel" class="secondary" type="button" @click=${this.#onCancel}>Cancel</button>
          </div>
          ${this.#footer()}
        </section>`;
      case 'confirm':
        return html`<section aria-label="Confirm the new device">
          <h2>Does the new device show this code?</h2>
          <p part="code" class="code" aria-live="polite">${this._code}</p>
          <p class="hint">Only if it is the same: your keys then move to that device.</p>
          <div class="actions">
            <button part="confirm" type="button" @click=${this.#onConfirm}>It matches: add the device</button>
            <button part="cancel" class="secondary" type="button" @click=${this.#onCancel}>It doesn’t match</button>
          </div>
          ${this.#footer()}
        </section>`;
      default:
        return html`<section aria-label="Your devices">
          <h2>Your devices</h2>
          <ul part="devices">
            ${repeat(
              this._devices.filter((d) => d.revokedAtMs === 0),
              (d) => d.deviceKey,
              (d) => this.#device(d),
            )}
          </ul>
          <div class="actions">
            <button part="add-device" type="button" @click=${this.#onAdd}>Add a device</button>
          </div>
          ${this.#footer()}
        </section>`;
    }
  }

  #device(d: DeviceView): TemplateResult {
    return deviceRow(
      d,
      { revoking: this._revoking, renaming: this._renaming, canRename: !!this.#clients.client?.renameDevice },
      this.#rowHandlers,
    );
  }

  readonly #rowHandlers: DeviceRowHandlers = {
    revoke: (d) => this.#onRevoke(d),
    startRename: async (d) => {
      this._revoking = '';
      this._renaming = d.deviceKey;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLInputElement>('[part="rename-input"]')?.select();
    },
    cancelRename: () => {
      this._renaming = '';
    },
    saveName: (d, name) =>
      void this.#run('rename-device', async (c) => {
        this._devices = await c.renameDevice!(d.deviceKey, name);
        this._renaming = '';
        this._status = `Renamed to “${this._devices.find((x) => x.deviceKey === d.deviceKey)?.name ?? name.trim()}”.`;
      }),
  };

  #signedOut(client: RoomKeyClient): TemplateResult {
    if (!client.offerPairing) {
      return html`<section><p part="status" class="hint">Sign in to add this device.</p></section>`;
    }
    if (this._view === 'offer' && this._offer) {
      const offer = this._offer;
      return html`<section aria-label="Pair this device">
        <h2>Pair this device</h2>
        ${
          this._code
            ? html`<p>Check that your other device shows this code, then confirm there:</p>
                <p part="code" class="code">${this._code}</p>`
            : html`<p class="hint">On a signed-in device, choose “Add a device” and scan this code (valid 2 minutes).</p>
                ${qrSvg(offer.qrText, 'Pairing code for this device')}
                <p part="qr-text" class="qr-text">${offer.qrText}</p>`
        }
        <div class="actions">
          <button part="cancel" class="secondary" type="button" @click=${this.#onCancelOffer}>Cancel</button>
        </div>
        ${this.#footer()}
      </section>`;
    }
    return html`<section aria-label="Pair this device">
      <h2>Pair with a signed-in device</h2>
      <p class="hint">Your keys come from your other device; the password locks them on this one (use your account password).</p>
      <form @submit=${this.#onShowCode}>
        <label>Password for this device
          <input part="password" name="password" type="password" autocomplete="current-password" required />
        </label>
        <div class="actions">
          <button part="show-code" type="submit">Show pairing code</button>
        </div>
      </form>
      ${this.#footer()}
    </section>`;
  }

  #footer(): TemplateResult {
    return html`<p part="status" class="hint" aria-live="polite">${this._status}</p>
      <p part="error" class="error" role="alert">${this._error}</p>`;
  }

  /** Back to the start for the current key state; loads the list when signed in. */
  #reset(): void {
    this.#stopCamera?.();
    this.#stopCamera = undefined;
    const keys = this.#clients.keys;
    if (keys === 'ready') {
      if (this._view !== 'scan' && this._view !== 'confirm') this._view = 'list';
      void this.#load();
    } else if (keys === 'signed-out' && this._view !== 'offer') {
      this._view = 'offer-form';
    }
  }

  async #load(): Promise<void> {
    const client = this.#clients.client;
    if (!client?.listDevices || this.#clients.keys !== 'ready') return;
    await this.#run('list-devices', async () => {
      this._devices = await client.listDevices!();
    });
  }

  #onRevoke(d: DeviceView): void {
    this._renaming = '';
    if (this._revoking !== d.deviceKey) {
      this._revoking = d.deviceKey;
      return;
    }
    this._revoking = '';
    void this.#run('revoke-device', async (c) => {
      this._devices = await c.revokeDevice!(d.deviceKey);
      this._status = `“${d.name}” was revoked.`;
    });
  }

  #onAdd = async () => {
    this._error = '';
    this._status = '';
    this._view = 'scan';
    await this.updateComplete;
    const video = this.renderRoot.querySelector('video');
    if (!video) return;
    try {
      this.#stopCamera = await scanQr(
        video,
        (text) => text.startsWith(PAIRING_PREFIX),
        (text) => void this.#read(text),
      );
    } catch (error) {
      this._status = `No camera (${errorText(error)}): paste the code’s text instead.`;
    }
  };

  #onPasted = () => {
    const field = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea');
    void this.#read(field?.value ?? '');
  };

  async #read(text: string): Promise<void> {
    this.#stopCamera?.();
    this.#stopCamera = undefined;
    await this.#run('pair-device', async (c) => {
      this.#approval = await c.approvePairing!(text);
      this._code = groupCode(this.#approval.code);
      this._view = 'confirm';
    });
  }

  #onConfirm = () =>
    void this.#run('pair-device', async () => {
      const approval = this.#approval;
      if (!approval) return;
      this.#approval = undefined;
      const before = this._devices.filter((d) => d.revokedAtMs === 0).length;
      await approval.confirm({ deviceName: 'new device' });
      this._status = 'Sent: the new device is signing in…';
      emit(this, 'roomkey-device-added', { deviceName: 'new device' });
      this._view = 'list';
      void this.#awaitNewDevice(before);
    });

  /** The new device registers once it opened the transfer: the list follows it for a while. */
  async #awaitNewDevice(before: number): Promise<void> {
    for (let i = 0; i < NEW_DEVICE_CHECKS && this.isConnected; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await this.#load();
      if (this._devices.filter((d) => d.revokedAtMs === 0).length > before) {
        this._status = 'The new device was added.';
        return;
      }
    }
  }

  #onCancel = () => {
    this.#stopCamera?.();
    this.#stopCamera = undefined;
    const approval = this.#approval;
    this.#approval = undefined;
    this._view = 'list';
    this._status = approval ? 'Cancelled: nothing was sent.' : '';
    if (approval) void this.#run('pair-device', () => approval.cancel());
  };

  #onShowCode = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const password = (form.elements.namedItem('password') as HTMLInputElement | null)?.value ?? '';
    void this.#run('pair-device', async (c) => {
      const offer = await c.offerPairing!(password);
      this._offer = offer;
      this._code = '';
      this._view = 'offer';
      this._status = 'Waiting for your other device…';
      void this.#follow(offer);
    });
  };

  async #follow(offer: PairingOfferFlow): Promise<void> {
    try {
      const hello = await offer.hello;
      if (this._offer !== offer) return;
      this._code = groupCode(hello.code);
      this._status = `Pairing with ${hello.username}: confirm on your other device.`;
      const session = await offer.done;
      if (this._offer !== offer) return;
      this._offer = undefined;
      this._status = `Paired: signed in as ${session.username}.`;
      emit(this, 'roomkey-paired', { username: session.username });
    } catch (error) {
      if (this._offer !== offer) return;
      this._offer = undefined;
      this._view = 'offer-form';
      this._status = '';
      this._error = errorText(error);
      emit(this, 'roomkey-error', { action: 'pair-device', message: this._error, error });
    }
  }

  #onCancelOffer = () => {
    const offer = this._offer;
    this._offer = undefined;
    this._view = 'offer-form';
    this._status = 'Cancelled.';
    if (offer) void this.#run('pair-device', () => offer.cancel());
  };

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

/** "123456" → "123 456", easier to compare aloud. */
function groupCode(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'roomkey-devices': RoomKeyDevices;
  }
}
