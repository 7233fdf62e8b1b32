/**
 * The verify window (verify.html, opened by lib/verify-window.ts): one contact's safety number as
 * `<roomkey-verify-contact>` over the extension's own client (an ExtensionPageClient), so the
 * user compares the numbers or scans the other person's QR (core/client/qr-camera.ts) and confirms
 * here, in extension UI; only this UI (and the extension's room tab) writes the verified state
 * into the extension's encrypted store. The asking site's pages hear the outcome as a `contacts` event.
 * @example startVerifyPage({ root: document.querySelector('#app')!, search: location.search });
 */
import { html, nothing, render } from 'lit';
import '../../components/index.ts';
import { pageClient } from './page-client.ts';
import { verifyRequestOf } from './verify-window.ts';

/** A user id as the gateway makes them (core/bridge's validator checks the same). */
const USER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Connects over the extension's own port and shows the contact named in `search`.
 * @example startVerifyPage({ root, search: '?user=u1&site=https%3A%2F%2Fa.example' });
 */
export function startVerifyPage(options: { root: HTMLElement; search: string }): void {
  const { root } = options;
  const request = verifyRequestOf(options.search);
  if (!USER_ID.test(request.userId)) {
    render(html`<p role="status">No contact to show.</p>`, root);
    return;
  }
  const { client } = pageClient();
  const draw = (error = ''): void => {
    const signIn =
      client.keys === 'ready' ? nothing : html`<roomkey-sign-in .client=${client}></roomkey-sign-in>`;
    render(
      html`<h1>Verify a contact</h1>
        ${
          request.site
            ? html`<p id="asker"><span class="origin">${request.site}</span> asked RoomKey to show this window.
                Only you decide here: the site learns whether the contact is verified, nothing else.</p>`
            : nothing
        }
        ${signIn}
        <roomkey-verify-contact .client=${client} user-id=${request.userId}></roomkey-verify-contact>
        ${error ? html`<p class="error" role="alert">${error}</p>` : nothing}`,
      root,
    );
  };
  draw();
  client.addEventListener('keys', () => draw());
  client.connect().then(
    () => draw(),
    (error: unknown) => draw(error instanceof Error ? error.message : String(error)),
  );
}
