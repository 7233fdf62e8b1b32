/**
 * The popup's "Add a device" (issue 15): paste the text of the code the new device shows (every
 * pairing code can be copied as text), compare the six digits with the new device's screen, then
 * add it or cancel. The approval waits in the background (lib/pairing-admin.ts), so the popup may
 * close and open again before the answer. The popup does not use the camera (Chrome cannot show a
 * camera permission prompt from an extension popup): "Scan with the camera" opens the extension's
 * own tab, pair.html, which can.
 * @example html`${addDeviceSection({ signedIn, waiting, busy, act, admin, draw })}`
 */
import { encodeQR } from '@paulmillr/qr';
import { html, nothing, svg, type TemplateResult } from 'lit';
import type { PairingView } from './pairing-admin.ts';
import type { NewDeviceView } from './pairing-new.ts';

export interface AddDeviceInput {
  signedIn: boolean;
  /** The approval waiting in the background, if any. */
  waiting: PairingView | null;
  busy: boolean;
  /** Runs a user action the popup's way (one at a time, errors shown, state reloaded). */
  act(action: () => Promise<unknown>): void;
  approve(text: string): Promise<unknown>;
  confirm(): Promise<unknown>;
  cancel(): Promise<unknown>;
  /** Opens the extension's tab that scans the code with the camera (entrypoints/pair/). */
  scan?(): void;
}

/**
 * The section's content (inside the popup's Devices section).
 * @example addDeviceSection({ signedIn: true, waiting: null, busy, act, approve, confirm, cancel })
 */
export function addDeviceSection(input: AddDeviceInput): TemplateResult | typeof nothing {
  if (!input.signedIn) return nothing;
  if (input.waiting) {
    const code = `${input.waiting.code.slice(0, 3)} ${input.waiting.code.slice(3)}`;
    return html`<div id="pairing" role="group" aria-label="Confirm the new device">
      <p>Does the new device show this code?</p>
      <p><strong id="pairing-code" style="font-size:1.6rem;letter-spacing:0.1em">${code}</strong></p>
      <p class="muted">Only if it is the same: your keys then move to that device.</p>
      <div class="row">
        <button id="pairing-confirm" ?disabled=${input.busy} @click=${() => input.act(input.confirm)}>
          It matches: add the device
        </button>
        <button id="pairing-cancel" ?disabled=${input.busy} @click=${() => input.act(input.cancel)}>
          It doesn’t match
        </button>
      </div>
    </div>`;
  }
  return html`<form
    id="add-device"
    @submit=${(e: SubmitEvent) => {
      e.preventDefault();
      const field = (e.target as HTMLFormElement).elements.namedItem('pairing-text') as HTMLTextAreaElement;
      const text = field.value;
      input.act(() => input.approve(text));
    }}
  >
    <label>
      Add a device: on the new device choose “Pair with a signed-in device”, copy its code’s text and paste it here
      <textarea id="pairing-text" name="pairing-text" rows="3" spellcheck="false" required></textarea>
    </label>
    <div class="row">
      <button id="pairing-read" type="submit" ?disabled=${input.busy}>Read code</button>
      ${input.scan ? html`<button id="pairing-scan" type="button" @click=${() => input.scan?.()}>Scan with the camera</button>` : nothing}
    </div>
  </form>`;
}

export interface NewDeviceInput {
  /** Only while signed out: a device with keys adds others, it is not added. */
  signedOut: boolean;
  view: NewDeviceView | null;
  /** The server the form starts with (the one used last). */
  gateway: string | null;
  busy: boolean;
  act(action: () => Promise<unknown>): void;
  start(gateway: string, password: string): Promise<unknown>;
  cancel(): Promise<unknown>;
}

/**
 * "Pair with a signed-in device": the form, then this device's QR code and its text, then the
 * code to compare, then done or why not.
 * @example html`${newDeviceSection({ signedOut, view, gateway, busy, act, start, cancel })}`
 */
export function newDeviceSection(input: NewDeviceInput): TemplateResult | typeof nothing {
  const view = input.view;
  if (view && (view.state === 'offer' || view.state === 'code')) {
    return html`<div id="pair-new" role="group" aria-label="Pair this device">
      ${
        view.state === 'code'
          ? html`<p>Pairing with <strong>${view.username}</strong>: check that your other device shows</p>
              <p><strong id="pair-new-code" style="font-size:1.6rem;letter-spacing:0.1em"
                >${view.code.slice(0, 3)} ${view.code.slice(3)}</strong
              ></p>
              <p class="muted">then confirm there.</p>`
          : html`<p>On a signed-in device choose “Add a device” and scan this code (valid 2 minutes), or paste its text:</p>
              ${qrImage(view.qrText)}
              <code id="pair-new-text">${view.qrText}</code>`
      }
      <div class="row">
        <button id="pair-new-cancel" ?disabled=${input.busy} @click=${() => input.act(input.cancel)}>Cancel</button>
      </div>
    </div>`;
  }
  if (!input.signedOut) {
    return view?.state === 'done'
      ? html`<p class="muted" id="pair-new-done">Paired: signed in as ${view.username}.</p>`
      : nothing;
  }
  return html`${view?.state === 'failed' ? html`<p class="error" id="pair-new-error">${view.error}</p>` : nothing}
    <form
      id="pair-new-form"
      @submit=${(e: SubmitEvent) => {
        e.preventDefault();
        const form = e.target as HTMLFormElement;
        const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;
        input.act(() => input.start(value('gateway'), value('password')));
      }}
    >
      <p><strong>Or pair with a signed-in device</strong> (your keys come from it; no account password needed there)</p>
      <label>Server <input name="gateway" type="url" required .value=${input.gateway ?? ''} /></label>
      <label>Password for this device’s keys (use your account password)
        <input name="password" type="password" autocomplete="current-password" required />
      </label>
      <div class="row"><button id="pair-new-start" type="submit" ?disabled=${input.busy}>Show pairing code</button></div>
    </form>`;
}

/** The QR code of `text` as SVG rectangles (no markup from strings). */
function qrImage(text: string): TemplateResult {
  const cells = encodeQR(text, 'raw', { ecc: 'medium' });
  let path = '';
  for (const [y, row] of cells.entries()) {
    for (const [x, dark] of row.entries()) if (dark) path += `M${x + 4} ${y + 4}h1v1h-1z`;
  }
  const size = cells.length + 8;
  return html`<svg id="pair-new-qr" role="img" aria-label="Pairing code for this device" width="220" height="220"
    viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges">${svg`<rect width="100%" height="100%" fill="#fff"></rect><path d=${path} fill="#000"></path>`}</svg>`;
}
