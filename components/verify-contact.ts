/**
 * The "verify a contact" dialog of `<roomkey-room>`'s members panel: the safety number of this
 * user and the contact as 12 groups of digits and as a QR code, the contact's code scanned with
 * the camera (devices-qr.ts: getUserMedia + jsQR) or pasted (the QR's text, or the digits typed), "The numbers match" for comparing in person, and
 * for a contact whose key changed, the review: what changed and "Accept the new key". A client that
 * may not change trust itself (a page under the extension: no `verifyContact`, but
 * `openVerifyContact`) shows the number and "Verify in RoomKey" instead, which opens the
 * extension's own window where the user confirms; the new state arrives as a `contacts` event. Internal.
 * @example readonly #verify = new VerifyContact(host, { client: () => this.#source.client(), changed });
 */
import { css, html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { ContactView, RoomKeyClient } from './client/types.ts';
import { qrSvg, scanQr } from './devices-qr.ts';
import type { ErrorDetail } from './events.ts';
import { errorText } from './private-errors.ts';
import { emit } from './private-events.ts';

export type VerifyHost = ReactiveControllerHost &
  HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };

export interface VerifySource {
  client(): RoomKeyClient | undefined;
  /** A contact's state changed here (verified, accepted): the panel shows the new one. */
  changed(view: ContactView): void;
}

export const verifyStyles = css`
  .safety-number {
    font-family: ui-monospace, monospace;
    font-size: 1.1em;
    display: grid;
    grid-template-columns: repeat(4, auto);
    gap: 0.2em 0.8em;
    justify-content: start;
    margin: 0.5em 0;
  }
  [part='safety-qr'] {
    width: 10em;
    height: 10em;
    background: #ffffff;
  }
  .trust-badge {
    font-size: 0.8em;
    padding: 0 0.4em;
    border-radius: 1em;
    border: 1px solid currentColor;
    white-space: nowrap;
  }
  .trust-badge.verified {
    color: var(--roomkey-success, #1b6e34);
  }
  .trust-badge.key-changed,
  .key-warning {
    color: var(--roomkey-danger, #b3261e);
  }
  .key-warning {
    border: 2px solid currentColor;
    border-radius: var(--roomkey-radius, 6px);
    padding: 0.4em 0.6em;
    margin: 0.4em 0;
  }
`;

interface VerifyState {
  contact: ContactView | undefined;
  busy: boolean;
  error: string;
  note: string;
  scanning: boolean;
}

export class VerifyContact {
  readonly #host: VerifyHost;
  readonly #source: VerifySource;
  #state: VerifyState = { contact: undefined, busy: false, error: '', note: '', scanning: false };
  #stopScan: (() => void) | undefined;

  constructor(host: VerifyHost, source: VerifySource) {
    this.#host = host;
    this.#source = source;
  }

  /** Opens the dialog for `contact` (focus on its first action). */
  async open(contact: ContactView): Promise<void> {
    this.#patch({ contact, error: '', note: '' });
    await this.#host.updateComplete;
    const dialog = this.#dialog;
    if (!dialog || dialog.open) return;
    dialog.showModal();
    dialog.querySelector<HTMLElement>('[data-first]')?.focus();
  }

  /** A newer view of a contact (a `contacts` event): the open dialog shows it. */
  update(view: ContactView): void {
    if (this.#state.contact?.userId === view.userId) this.#patch({ contact: view });
  }

  render(): TemplateResult {
    const { contact, busy, error, note } = this.#state;
    const client = this.#source.client();
    const asks = !client?.verifyContact && Boolean(client?.openVerifyContact);
    const name = contact?.username ?? '';
    const number = contact?.safetyNumber;
    const changed = contact?.trust === 'key-changed';
    return html`<dialog class="verify" part="verify-dialog" aria-labelledby="verify-title" @close=${this.#onClosed}>
      <h3 id="verify-title">${changed ? `${name}'s safety number changed` : `Verify ${name}`}</h3>
      ${
        changed
          ? html`<p part="key-change-review">
              The server now gives ${name} a different identity key. This happens when ${name} starts over on a
              new account or device without pairing, or when someone is trying to read your messages. Messages
              from the new key are not accepted until you accept it. Ask ${name} in person or by a call whether
              they changed it, and compare the new number below.
            </p>`
          : html`<p>
              Compare this number with the one ${name} sees for you, in person or on a call, or scan their code.
              If they match, nobody in between (not even the server) swapped your keys.
            </p>`
      }
      ${
        number
          ? html`<div class="safety-number" part="safety-number" aria-label="Safety number">
                ${number.groups.map((g) => html`<span>${g}</span>`)}
              </div>
              ${qrSvg(number.qrText, `QR code of your safety number with ${name}`, 'safety-qr')}`
          : html`<p>The safety number can't be computed now: try again when online.</p>`
      }
      ${asks ? this.#renderAsk(changed, busy, error, note) : this.#renderForm(changed, name, busy, error, note)}
    </dialog>`;
  }

  /** Under the extension: the decision is made in its own window. */
  #renderAsk(changed: boolean, busy: boolean, error: string, note: string): TemplateResult {
    return html`<p part="verify-elsewhere">
        With the RoomKey extension, you ${changed ? 'review key changes' : 'verify contacts'} in its own window, where you
        can compare this number or scan their code and confirm.
      </p>
      <div class="actions">
        <button part="verify-in-extension" type="button" data-first aria-disabled=${busy ? 'true' : 'false'}
          @click=${this.#onAsk}>${changed ? 'Review in RoomKey' : 'Verify in RoomKey'}</button>
        <button type="button" class="secondary" @click=${() => this.#dialog?.close()}>Close</button>
      </div>
      <p class="error" part="error" id="verify-error" role="alert">${error}</p>
      <p class="hint" part="verify-status" role="status">${note}</p>`;
  }

  #renderForm(changed: boolean, name: string, busy: boolean, error: string, note: string): TemplateResult {
    const { contact } = this.#state;
    return html`<form class="verify-form" novalidate @submit=${this.#onCheck}>
        <div class="field">
          <label for="verify-code">${name}'s code (the text of their QR code, or the 60 digits)</label>
          <input part="verify-input" id="verify-code" name="code" autocomplete="off" spellcheck="false"
            aria-describedby="verify-error" aria-invalid=${error ? 'true' : 'false'} />
        </div>
        <div class="actions">
          <button part="verify-check" type="submit" data-first aria-disabled=${busy ? 'true' : 'false'}>Check code</button>
          <button part="verify-scan" type="button" class="secondary" @click=${this.#onScan}>
            ${this.#state.scanning ? 'Stop the camera' : `Scan ${name}'s code`}
          </button>
          <button part="verify-match" type="button" class="secondary" aria-disabled=${busy ? 'true' : 'false'}
            @click=${this.#onMatch}>The numbers match</button>
          ${
            changed
              ? html`<button part="accept-key" type="button" class="danger" aria-disabled=${busy ? 'true' : 'false'}
                  @click=${this.#onAccept}>Accept the new key</button>`
              : nothing
          }
          ${
            contact?.trust === 'verified'
              ? html`<button part="unverify" type="button" class="secondary" @click=${this.#onUnverify}>Mark as not verified</button>`
              : nothing
          }
          <button type="button" class="secondary" @click=${() => this.#dialog?.close()}>Close</button>
        </div>
        ${
          this.#state.scanning
            ? html`<video part="verify-camera" aria-label="Camera: hold ${name}'s safety-number code in view"></video>`
            : nothing
        }
        <p class="error" part="error" id="verify-error" role="alert">${error}</p>
        <p class="hint" part="verify-status" role="status">${note}</p>
      </form>`;
  }

  get #dialog(): HTMLDialogElement | null {
    return this.#host.renderRoot.querySelector('dialog.verify');
  }

  #onAsk = async (): Promise<void> => {
    const client = this.#source.client();
    const contact = this.#state.contact;
    if (this.#state.busy || !client?.openVerifyContact || !contact) return;
    this.#patch({ busy: true, error: '', note: '' });
    try {
      await client.openVerifyContact(contact.userId);
      this.#patch({ note: `Confirm in the RoomKey window; ${contact.username}'s state here follows.` });
    } catch (error) {
      this.#patch({ error: errorText(error) });
      emit(this.#host, 'roomkey-error', { action: 'verify-contact', message: this.#state.error, error });
    } finally {
      this.#patch({ busy: false });
    }
  };

  #onClosed = (): void => {
    this.#endScan();
    if (!this.#state.busy) this.#patch({ error: '', note: '' });
  };

  #onScan = async (): Promise<void> => {
    if (this.#state.scanning) return this.#endScan();
    this.#patch({ scanning: true, error: '' });
    await this.#host.updateComplete;
    const video = this.#host.renderRoot.querySelector<HTMLVideoElement>('video[part=verify-camera]');
    if (!video) return;
    try {
      this.#stopScan = await scanQr(
        video,
        (text) => text.startsWith('roomkey-safety:'),
        (text) => {
          this.#endScan();
          void this.#act(
            'verify-contact',
            (c, id) => c.verifyContact!(id, text),
            'verified: the scanned code matches.',
          );
        },
      );
    } catch (error) {
      this.#endScan();
      this.#patch({ error: `${errorText(error)} Paste the code's text instead.` });
    }
  };

  #endScan(): void {
    this.#stopScan?.();
    this.#stopScan = undefined;
    if (this.#state.scanning) this.#patch({ scanning: false });
  }

  #onCheck = (event: SubmitEvent): void => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).querySelector<HTMLInputElement>('#verify-code')!;
    if (!input.value.trim()) {
      this.#patch({ error: 'Paste or type the code that the other person shows.' });
      input.focus();
      return;
    }
    void this.#act(
      'verify-contact',
      (c, id) => c.verifyContact!(id, input.value),
      'verified: the codes match.',
    );
  };
  #onMatch = () => void this.#act('verify-contact', (c, id) => c.verifyContact!(id), 'marked verified.');
  #onAccept = () =>
    void this.#act(
      'accept-key-change',
      (c, id) => c.acceptKeyChange!(id),
      'new key accepted (not verified).',
    );
  #onUnverify = () =>
    void this.#act('verify-contact', (c, id) => c.unverifyContact!(id), 'marked not verified.');

  async #act(
    action: ErrorDetail['action'],
    work: (client: RoomKeyClient, userId: string) => Promise<ContactView>,
    done: string,
  ): Promise<void> {
    const client = this.#source.client();
    const contact = this.#state.contact;
    if (this.#state.busy || !client || !contact) return;
    this.#patch({ busy: true, error: '', note: '' });
    try {
      const view = await work(client, contact.userId);
      this.#patch({ contact: view, note: `${view.username}: ${done}` });
      this.#source.changed(view);
    } catch (error) {
      this.#patch({ error: errorText(error) });
      emit(this.#host, 'roomkey-error', { action, message: this.#state.error, error });
    } finally {
      this.#patch({ busy: false });
    }
  }

  #patch(patch: Partial<VerifyState>): void {
    this.#state = { ...this.#state, ...patch };
    this.#host.requestUpdate();
  }
}
