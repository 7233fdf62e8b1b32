/**
 * A room rendered by the extension (<roomkey-room> over a port straight to the background), shared
 * by the two pages that show one: sealed-room.html inside a site's iframe, and room.html, the
 * extension's own tab. Which of the two it is decides what the background lets it do (lib/origin.ts);
 * this module only renders and reports the frame's state.
 * @example startRoomPage({ root, roomId, portName: PAGE_PORT, notApproved: 'Not approved.' });
 */
import { html, render } from 'lit';
import '../../components/index.ts';
import { type BridgeClient, NotApprovedError } from '../../core/bridge/index.ts';
import { ROOM_ID_PATTERN } from './messages.ts';
import { pageClient } from './page-client.ts';

/**
 * Renders `notice` in `root` as the page's status line.
 * @example showNotice(root, 'No room to show.');
 */
export function showNotice(root: HTMLElement, notice: string): void {
  render(html`<p class="notice" role="status">${notice}</p>`, root);
}

/**
 * Connects on `portName`, asks for the room (sealed access is all such a page ever needs) and
 * renders it, or a notice saying why not.
 * @example startRoomPage({ root, roomId, portName: PAGE_PORT, notApproved: 'Not approved.' });
 */
export function startRoomPage(options: {
  root: HTMLElement;
  roomId: string;
  portName: string;
  /** What to say when the background refuses the room. */
  notApproved: string;
}): void {
  const { root, roomId } = options;
  if (!ROOM_ID_PATTERN.test(roomId)) {
    showNotice(root, 'No room to show.');
    return;
  }
  const { client, transport } = pageClient(options.portName);
  const visible = (): boolean => document.visibilityState === 'visible';
  let connected = false;
  const report = (): void =>
    transport.frame({ visible: visible(), connected, focusedRoom: connected ? roomId : null });
  document.addEventListener('visibilitychange', report);

  const showRoom = (c: BridgeClient): void => {
    const signIn = c.keys === 'ready' ? null : html`<roomkey-sign-in .client=${c}></roomkey-sign-in>`;
    render(html`${signIn}<roomkey-room .client=${c} room-id=${roomId}></roomkey-room>`, root);
  };

  void (async () => {
    report();
    try {
      await client.connect();
      await client.requestRoom(roomId, 'sealed');
    } catch (error) {
      return showNotice(
        root,
        error instanceof NotApprovedError
          ? options.notApproved
          : error instanceof Error
            ? error.message
            : String(error),
      );
    }
    connected = true;
    report();
    showRoom(client);
    client.addEventListener('keys', () => showRoom(client));
  })();
}
