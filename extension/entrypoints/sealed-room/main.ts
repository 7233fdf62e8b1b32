// The sealed room: <roomkey-room> rendered by the extension inside a site's iframe. It talks to the
// background over its own port, so the host page sees neither keys nor plaintext; the background
// approves it for the site that embeds it, which this page names from location.ancestorOrigins
// (Chromium) or, where that is missing, from its tab's URL. This is the page any web page can
// load, so outside a frame it shows nothing: a site could open it in a tab of its own for any
// room id it knows (the background refuses that port too). The extension's own tab is room.html.
import { sealedPortName } from '../../lib/messages.ts';
import { showNotice, startRoomPage } from '../../lib/room-page.ts';

const root = document.querySelector<HTMLElement>('#app')!;
const roomId = new URLSearchParams(location.search).get('room') ?? '';
const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;

if (window.top === window) {
  showNotice(
    root,
    'This page only shows a room inside a site. To open the room, use the RoomKey button in the toolbar.',
  );
} else {
  startRoomPage({
    root,
    roomId,
    portName: sealedPortName({
      ancestors: ancestors ? [...ancestors] : null,
      parentIsTop: window.parent === window.top,
    }),
    notApproved: 'This site is not approved to show this room.',
  });
}
