// The extension's own room tab (room.html?room=…), opened by the extension itself, e.g. by a click
// on a notification for a room no site shows. It is not web-accessible, so no web page can load
// it; the background treats it as the extension's own UI.
import { PAGE_PORT } from '../../lib/messages.ts';
import { startRoomPage } from '../../lib/room-page.ts';

startRoomPage({
  root: document.querySelector<HTMLElement>('#app')!,
  roomId: new URLSearchParams(location.search).get('room') ?? '',
  portName: PAGE_PORT,
  notApproved: 'This room cannot be shown.',
});
