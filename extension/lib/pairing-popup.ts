/**
 * The popup's "Add a device" (issue 15): paste the text of the code the new device shows (every
 * pairing code can be copied as text), compare the six digits with the new device's screen, then
 * add it or cancel. The approval waits in the background (lib/pairing-admin.ts), so the popup may
 * close and open again before the answer. The popup does not use the camera: Chrome cannot show a
 * camera permission prompt from an extension popup; a page's <roomkey-devices> scans with it.
 * @example html`${addDeviceSection({ signedIn, waiting, busy, act, admin, draw })}`
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { PairingView } from './pairing-admin.ts';

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
    <div class="row"><button id="pairing-read" type="submit" ?disabled=${input.busy}>Read code</button></div>
  </form>`;
}

/**
 * When a device was last seen, in words (0 = not lately).
 * @example seenWords(Date.now()) // "active now"
 */
export function seenWords(ms: number | undefined): string {
  if (!ms) return 'not seen lately';
  const ago = Date.now() - ms;
  if (ago < 2 * 60_000) return 'active now';
  if (ago < 60 * 60_000) return `seen ${Math.round(ago / 60_000)} min ago`;
  if (ago < 24 * 3600_000) return `seen ${Math.round(ago / 3600_000)} h ago`;
  return `seen ${new Date(ms).toLocaleDateString()}`;
}
