// The verify window: the background opens it (lib/verify-window.ts) when a site's page asks to
// verify a contact, so the user confirms here, in the extension's own window, never in the page.
import { startVerifyPage } from '../../lib/verify-page.ts';

startVerifyPage({ root: document.querySelector<HTMLElement>('#app')!, search: location.search });
