// The sign-in window: the background opens it (lib/sign-in-window.ts) when a site asks, so that
// the password is typed here, in the extension's own window, and never into the site's page. The
// asking site and its suggested server come from this window's URL, which only the background
// builds (no web page can load this page); the server field starts with the extension's own.
import { html, nothing, render } from 'lit';
import { accountForm, enterAccount } from '../../lib/account-form.ts';
import { armAfterFocus } from '../../lib/focus-arm.ts';
import { pageClient } from '../../lib/page-client.ts';
import { loadPasskeys, type PasskeyView, passkeySection } from '../../lib/passkey-section.ts';
import type { Settings } from '../../lib/settings.ts';
import { signInRequestOf } from '../../lib/sign-in-window.ts';

const { client, transport } = pageClient();
const root = document.querySelector<HTMLElement>('#app')!;
const request = signInRequestOf(location.search);

let settings: Settings | undefined;
let connected = false;
let busy = false;
let error = '';
let armed = false;
/** The store's passkeys: locked, one may unlock instead of the password (lib/passkey-section.ts). */
let passkeys: PasskeyView;

/** Runs the user's action; on success the window has done its job and closes. */
async function act(action: () => Promise<unknown>): Promise<void> {
  if (busy) return;
  busy = true;
  error = '';
  draw();
  try {
    await action();
    window.close();
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  } finally {
    busy = false;
    draw();
  }
}

function body() {
  if (!connected) return html`<p class="muted">Loading…</p>`;
  if (client.keys === 'ready') {
    return html`<p>Signed in as <strong id="username">${client.session?.username}</strong>. You can close this window.</p>`;
  }
  return html`${accountForm({
    keys: client.keys,
    username: client.session?.username ?? null,
    gateway: settings?.gateway ?? null,
    suggestion: request.site && request.gateway ? { site: request.site, gateway: request.gateway } : null,
    suggestionArmed: armed,
    busy,
    enter: (how, credentials) => void act(() => enterAccount(client, transport, how, credentials)),
    unlock: (password) => void act(() => client.unlock(password)),
  })}
    ${passkeySection({
      keys: client.keys,
      view: passkeys,
      username: client.session?.username ?? null,
      busy,
      act: (action) => void act(action),
      transport,
    })}`;
}

function draw(): void {
  render(
    html`<h1>${client.keys === 'locked' ? 'Unlock RoomKey' : 'Sign in to RoomKey'}</h1>
      ${
        request.site
          ? html`<p id="asker"><span class="origin">${request.site}</span> asked RoomKey to show this window.
              Your password stays in RoomKey: the site never sees it.</p>`
          : nothing
      }
      ${body()}
      ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}`,
    root,
  );
}

for (const type of ['keys', 'session']) client.addEventListener(type, () => draw());
armAfterFocus(window, (now) => {
  armed = now;
  draw();
});
draw();
void Promise.all([client.connect(), transport.admin('settings', {})])
  .then(async ([, loaded]) => {
    settings = loaded;
    passkeys = await loadPasskeys(transport);
    connected = true;
    draw();
    root.querySelector<HTMLInputElement>('input[name=username], input[name=password]')?.focus();
  })
  .catch((e: unknown) => {
    error = e instanceof Error ? e.message : String(e);
    draw();
  });
