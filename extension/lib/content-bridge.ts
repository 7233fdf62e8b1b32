/**
 * The content script's half of the bridge. It listens on `window` for requests of the page
 * itself (`event.source === window`: never another frame or window), checks channel, version,
 * shape and sizes (bridge-protocol.ts), relays them to the background over one port, and posts
 * replies and events back to this window only. It adds nothing from the page: the background
 * derives the site from the browser's sender data. The port opens on the first request; if the
 * background stops (an MV3 worker does), requests that are safe to repeat are sent again, others
 * fail with UnavailableError, and a connected page is re-registered at once.
 * @example startContentBridge({ window, connect: () => browser.runtime.connect({ name: BRIDGE_PORT }) });
 */
import {
  BRIDGE_VERSION,
  type BridgeReply,
  type BridgeRequest,
  classifyPageMessage,
  EXTENSION_MARKER,
  extensionEnvelope,
  IDEMPOTENT_METHODS,
  toWireError,
} from '../../components/client/bridge-protocol.ts';
import { UnavailableError } from '../../core/errors.ts';
import type { PortLike } from './hub.ts';
import type { FrameState, ToBackground } from './messages.ts';

export interface ContentBridgeDeps {
  window: Window;
  /** Opens a port to the background; throws when the extension is gone (updated, removed). */
  connect(): PortLike;
  /** Keeps an MV3 worker from idling out while a page is subscribed (ms). */
  heartbeatMs?: number;
}

const RECONNECT_MS = [100, 250, 500, 1000, 2000, 5000];

/**
 * Starts the bridge in this frame; returns a function that stops it.
 * @example const stop = startContentBridge({ window, connect });
 */
export function startContentBridge(deps: ContentBridgeDeps): () => void {
  const win = deps.window;
  const doc = win.document;
  let port: PortLike | undefined;
  let dead = false;
  let attempts = 0;
  let reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  const state: FrameState = {
    visible: doc.visibilityState === 'visible',
    connected: false,
    focusedRoom: null,
  };
  const inflight = new Map<string, BridgeRequest>();

  const mark = (): void => doc.documentElement?.setAttribute(EXTENSION_MARKER, String(BRIDGE_VERSION));
  mark();
  doc.addEventListener('readystatechange', mark, { once: true });

  const toPage = (reply: BridgeReply): void => {
    win.postMessage(extensionEnvelope(reply), win.location.origin);
  };

  const send = (message: ToBackground): boolean => {
    const p = ensurePort();
    if (!p) return false;
    try {
      p.postMessage(message);
      return true;
    } catch {
      return false;
    }
  };

  const fromBackground = (raw: unknown): void => {
    const reply = raw as BridgeReply;
    if (typeof reply !== 'object' || reply === null) return;
    if (reply.kind === 'result' || reply.kind === 'error') {
      const request = inflight.get(reply.id);
      inflight.delete(reply.id);
      if (request?.method === 'connect') {
        state.connected = reply.kind === 'result';
        if (state.connected) beat();
      }
      if (request?.method === 'focusRoom' && reply.kind === 'result')
        state.focusedRoom = request.params.roomId;
    }
    toPage(reply);
  };

  const lost = (): void => {
    port = undefined;
    for (const [id, request] of inflight) {
      if (IDEMPOTENT_METHODS.has(request.method)) continue;
      inflight.delete(id);
      toPage({
        kind: 'error',
        id,
        error: toWireError(
          new UnavailableError('The RoomKey extension restarted while handling this request: try again.'),
        ),
      });
    }
    if (state.connected || inflight.size > 0) {
      if (state.connected) toPage({ kind: 'event', event: { type: 'connection', detail: 'reconnecting' } });
      const delay = RECONNECT_MS[Math.min(attempts++, RECONNECT_MS.length - 1)];
      reconnectTimer = setTimeout(reconnect, delay);
    }
  };

  const reconnect = (): void => {
    reconnectTimer = undefined;
    if (dead || port) return;
    if (!ensurePort()) return;
    for (const request of inflight.values()) send({ type: 'request', ...request });
  };

  function ensurePort(): PortLike | undefined {
    if (port || dead) return port;
    try {
      port = deps.connect();
    } catch {
      // The extension was updated or removed: this content script is orphaned for good.
      stop();
      return undefined;
    }
    port.onMessage.addListener(fromBackground);
    port.onDisconnect.addListener(lost);
    port.postMessage({ type: 'frame', state: { ...state } } satisfies ToBackground);
    attempts = 0;
    return port;
  }

  const onMessage = (event: MessageEvent): void => {
    if (event.source !== win) return;
    const message = classifyPageMessage(event.data);
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
    inflight.set(request.id, request);
    if (!send({ type: 'request', ...request })) {
      inflight.delete(request.id);
      toPage({
        kind: 'error',
        id: request.id,
        error: toWireError(new UnavailableError('The RoomKey extension is not reachable: reload the page.')),
      });
    }
  };

  const onVisibility = (): void => {
    state.visible = doc.visibilityState === 'visible';
    if (port) send({ type: 'frame', state: { ...state } });
  };

  // Back-forward cache: a frozen page must not hold the port (nor count as a tab showing a room).
  const onPageHide = (event: PageTransitionEvent): void => {
    if (!event.persisted || !port) return;
    const p = port;
    port = undefined;
    p.disconnect();
  };
  const onPageShow = (event: PageTransitionEvent): void => {
    if (event.persisted && state.connected) reconnect();
  };

  // Only pages that connected keep the worker awake; every other page on the web costs nothing.
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const beat = (): void => {
    heartbeat ??= setInterval(() => {
      if (port && state.connected) send({ type: 'ping' });
    }, deps.heartbeatMs ?? 20_000);
  };

  win.addEventListener('message', onMessage);
  doc.addEventListener('visibilitychange', onVisibility);
  win.addEventListener('pagehide', onPageHide);
  win.addEventListener('pageshow', onPageShow);

  function stop(): void {
    dead = true;
    clearInterval(heartbeat);
    clearTimeout(reconnectTimer);
    win.removeEventListener('message', onMessage);
    doc.removeEventListener('visibilitychange', onVisibility);
    win.removeEventListener('pagehide', onPageHide);
    win.removeEventListener('pageshow', onPageShow);
    doc.documentElement?.removeAttribute(EXTENSION_MARKER);
    try {
      port?.disconnect();
    } catch {
      // Already gone.
    }
    port = undefined;
  }
  return stop;
}
