// "Add a device" with the camera, in the extension's own tab (the popup opens it: Chromium asks no
// camera permission for a popup). The new device shows its pairing QR; this tab reads it (or its
// pasted text), the background says hello and keeps the approval (lib/pairing-admin.ts), both
// screens show six digits, and only "It matches" sends the identity.
import { html, nothing, render } from 'lit';
import { pageClient } from '../../lib/page-client.ts';
import type { PairingView } from '../../lib/pairing-admin.ts';
import { scanPairingQr } from '../../lib/pairing-scan.ts';

const { client, transport } = pageClient();
const root = document.querySelector<HTMLElement>('#app')!;

type Step = 'loading' | 'signed-out' | 'scan' | 'compare' | 'done';
let step: Step = 'loading';
let waiting: PairingView | null = null;
let error = '';
let busy = false;
let stopCamera: (() => void) | undefined;

async function act(action: () => Promise<unknown>): Promise<void> {
  if (busy) return;
  busy = true;
  error = '';
  draw();
  try {
    await action();
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    busy = false;
    draw();
  }
}

/** A code was read (camera or paste): the background says hello; nothing secret is sent yet. */
function read(text: string): Promise<void> {
  return act(async () => {
    waiting = await transport.admin('pairApprove', { text });
    stopCamera?.();
    step = 'compare';
  });
}

async function startCamera(): Promise<void> {
  const video = root.querySelector<HTMLVideoElement>('#pair-video');
  if (!video || stopCamera) return;
  try {
    stopCamera = await scanPairingQr(video, (text) => void read(text));
  } catch (e) {
    error = `The camera did not start (${e instanceof Error ? e.message : String(e)}): paste the code’s text instead.`;
    draw();
  }
}

function draw(): void {
  const code = waiting ? `${waiting.code.slice(0, 3)} ${waiting.code.slice(3)}` : '';
  render(
    html`<h1>Add a device</h1>
      ${
        step === 'loading'
          ? html`<p class="muted">Loading…</p>`
          : step === 'signed-out'
            ? html`<p id="pair-signed-out">Sign in to RoomKey (its toolbar button) first: only a signed-in device can add another.</p>`
            : step === 'scan'
              ? html`<p>On the new device choose “Pair with a signed-in device” and hold its code in front of this camera.</p>
                  <video id="pair-video" aria-label="Camera"></video>
                  <form
                    @submit=${(e: SubmitEvent) => {
                      e.preventDefault();
                      const field = (e.target as HTMLFormElement).elements.namedItem(
                        'text',
                      ) as HTMLTextAreaElement;
                      void read(field.value.trim());
                    }}
                  >
                    <label>Or paste the code’s text <textarea id="pair-paste" name="text" rows="3" spellcheck="false" required></textarea></label>
                    <div class="row"><button id="pair-read" type="submit" ?disabled=${busy}>Read code</button></div>
                  </form>`
              : step === 'compare'
                ? html`<p>Does the new device show this code?</p>
                    <p id="pair-code" class="code">${code}</p>
                    <p class="muted">Only if it is the same: your keys then move to that device.</p>
                    <div class="row">
                      <button id="pair-confirm" class="primary" ?disabled=${busy}
                        @click=${() =>
                          act(async () => {
                            await transport.admin('pairConfirm', {});
                            step = 'done';
                          })}>It matches: add the device</button>
                      <button id="pair-cancel" ?disabled=${busy}
                        @click=${() =>
                          act(async () => {
                            await transport.admin('pairCancel', {});
                            waiting = null;
                            step = 'scan';
                            draw();
                            await startCamera();
                          })}>It doesn’t match</button>
                    </div>`
                : html`<p id="pair-done">The device was added: it signs in by itself. You can close this tab.</p>`
      }
      ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}`,
    root,
  );
}

window.addEventListener('pagehide', () => stopCamera?.());
draw();
void client
  .connect()
  .then(async () => {
    const status = await transport.admin('status', {});
    step = status.keys === 'ready' ? 'scan' : 'signed-out';
    draw();
    if (step === 'scan') await startCamera();
  })
  .catch((e: unknown) => {
    error = e instanceof Error ? e.message : String(e);
    draw();
  });
