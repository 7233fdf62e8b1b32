/**
 * The content script's half of the bridge. It listens on `window` for requests of the page
 * itself (`event.source === window`: never another frame or window), reads each with core/bridge's
 * one validator (channel, version, shape, sizes; passwords refused unread), posts the checked copy
 * of the same envelope on its port (core/bridge's PortLink: opened on the first request, brought
 * back after the background restarts under the one reconnect policy), and posts replies and events
 * back to this window only. It adds nothing from the page: the background derives the site from
 * the browser's sender data.
 * @example startContentBridge({ window, connect: () => browser.runtime.connect({ name: BRIDGE_PORT }) });
 */
import {
  BRIDGE_VERSION,
  type BridgePort,
  type BridgeReply,
  EXTENSION_MARKER,
  PortLink,
  readRequest,
  replyEnvelope,
  requestEnvelope,
  toWireError,
} from '../../core/bridge/index.ts';
import { UnavailableError } from '../../core/errors.ts';

export interface ContentBridgeDeps {
  window: Window;
  /** Opens a port to the background; throws when the extension is gone (updated, removed). */
  connect(): BridgePort;
  /** Keeps an MV3 worker from idling out while a page is subscribed (ms). */
  heartbeatMs?: number;
}

/**
 * Starts the bridge in this frame; returns a function that stops it.
 * @example const stop = startContentBridge({ window, connect });
 */
export function startContentBridge(deps: ContentBridgeDeps): () => void {
  const win = deps.window;
  const doc = win.document;

  const mark = (): void => doc.documentElement?.setAttribute(EXTENSION_MARKER, String(BRIDGE_VERSION));
  mark();
  doc.addEventListener('readystatechange', mark, { once: true });

  const toPage = (reply: BridgeReply): void => {
    win.postMessage(replyEnvelope(reply), win.location.origin);
  };

  const link = new PortLink({
    connect: deps.connect,
    state: { visible: doc.visibilityState === 'visible', connected: false, focusedRoom: null },
    onReply: (reply) => {
      if (link.state.connected) beat();
      toPage(reply);
    },
    onGone: () => stop(),
  });

  const onMessage = (event: MessageEvent): void => {
    if (event.source !== win) return;
    const message = readRequest(event.data, 'window');
    if (message.kind === 'ignore') return;
    if (message.kind === 'bad') {
      if (message.id !== undefined)
        toPage({ kind: 'error', id: message.id, error: toWireError(message.error) });
      return;
    }
    const { request } = message;
    if (request.method === 'hello') {
      toPage({ kind: 'result', id: request.id, result: { versions: [BRIDGE_VERSION] } });
      return;
    }
    if (!link.send(requestEnvelope(request))) {
      toPage({
        kind: 'error',
        id: request.id,
        error: toWireError(new UnavailableError('The RoomKey extension is not reachable: reload the page.')),
      });
    }
  };

  const onVisibility = (): void => {
    link.report({ visible: doc.visibilityState === 'visible' }, { openPort: false });
  };

  // Back-forward cache: a frozen page must not hold the port (nor count as a tab showing a room).
  const onPageHide = (event: PageTransitionEvent): void => {
    if (event.persisted) link.suspend();
  };
  const onPageShow = (event: PageTransitionEvent): void => {
    if (event.persisted) link.resume();
  };

  // Only pages that connected keep the worker awake; every other page on the web costs nothing.
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const beat = (): void => {
    heartbeat ??= setInterval(() => {
      if (link.state.connected) link.ping();
    }, deps.heartbeatMs ?? 20_000);
  };

  win.addEventListener('message', onMessage);
  doc.addEventListener('visibilitychange', onVisibility);
  win.addEventListener('pagehide', onPageHide);
  win.addEventListener('pageshow', onPageShow);

  function stop(): void {
    clearInterval(heartbeat);
    win.removeEventListener('message', onMessage);
    doc.removeEventListener('visibilitychange', onVisibility);
    win.removeEventListener('pagehide', onPageHide);
    win.removeEventListener('pageshow', onPageShow);
    doc.documentElement?.removeAttribute(EXTENSION_MARKER);
    link.close();
  }
  return stop;
}
