// The sealed room: <roomkey-room> rendered by the extension, inside a site's iframe (or in a tab
// of its own). It talks to the background over its own port, so the host page sees neither keys
// nor plaintext; the background approves it for the site that embeds it, which this page names
// from location.ancestorOrigins (Chromium) or, where that is missing, from its tab's URL.
import { html, render } from 'lit';
import '../../../components/index.ts';
import { NotApprovedError } from '../../../components/client/bridge-protocol.ts';
import type { BridgeClient } from '../../../components/client/extension-client.ts';
import { ROOM_ID_PATTERN, sealedPortName } from '../../lib/messages.ts';
import { pageClient } from '../../lib/page-client.ts';

const root = document.querySelector<HTMLElement>('#app')!;
const roomId = new URLSearchParams(location.search).get('room') ?? '';
const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;

const { client, transport } = pageClient(
  sealedPortName({
    ancestors: ancestors ? [...ancestors] : null,
    parentIsTop: window.parent === window.top,
  }),
);

const visible = (): boolean => document.visibilityState === 'visible';
let connected = false;
const report = (): void =>
  transport.frame({ visible: visible(), connected, focusedRoom: connected ? roomId : null });
document.addEventListener('visibilitychange', report);

function notice(text: string): void {
  render(html`<p class="notice" role="status">${text}</p>`, root);
}

function showRoom(c: BridgeClient): void {
  const signIn = c.keys === 'ready' ? null : html`<roomkey-sign-in .client=${c}></roomkey-sign-in>`;
  render(html`${signIn}<roomkey-room .client=${c} room-id=${roomId}></roomkey-room>`, root);
}

async function start(): Promise<void> {
  if (!ROOM_ID_PATTERN.test(roomId)) return notice('No room to show.');
  report();
  try {
    await client.connect();
    await client.requestRoom(roomId, 'sealed');
  } catch (error) {
    return notice(
      error instanceof NotApprovedError
        ? 'This site is not approved to show this room.'
        : error instanceof Error
          ? error.message
          : String(error),
    );
  }
  connected = true;
  report();
  showRoom(client);
  client.addEventListener('keys', () => showRoom(client));
}

void start();
