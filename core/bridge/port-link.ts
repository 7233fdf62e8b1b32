/**
 * The one reconnect policy of the bridge's ports to the extension's background, for the content
 * script and the extension's own pages alike. The port opens on first use and every new port
 * first carries the frame's state (visible, registered by `connect`, focused room), so a restarted
 * background knows the frame again. When the port is lost (an MV3 worker stops), requests safe to
 * repeat (`IDEMPOTENT_METHODS`) are sent again on the next port and the others fail with
 * UnavailableError; a registered frame hears `connection: reconnecting` and is brought back at
 * once, then after `RECONNECT_DELAYS_MS` between attempts, until the background answers.
 * No extension API in here: the host passes a function that opens a port.
 * @example const link = new PortLink({ connect: () => browser.runtime.connect({ name }), onReply: deliver });
 */
import { UnavailableError } from '../errors.ts';
import {
  type BridgeReply,
  type FrameState,
  IDEMPOTENT_METHODS,
  type PortControl,
  type RequestEnvelope,
} from './schema.ts';
import { readReply } from './validate.ts';
import { toWireError } from './wire-error.ts';

/** The part of a runtime port (`browser.runtime.Port`) the bridge uses. */
export interface BridgePort {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(listener: (message: unknown) => void): void };
  onDisconnect: { addListener(listener: () => void): void };
}

/** Waits between attempts to open a lost port again (ms); the last one repeats. */
export const RECONNECT_DELAYS_MS: readonly number[] = [100, 250, 500, 1000, 2000, 5000];

export interface PortLinkOptions {
  /** Opens a port to the background; throws when the extension is gone (updated, removed). */
  connect(): BridgePort;
  /** Every reply and event from the background that `readReply` accepts, after the link's bookkeeping. */
  onReply(reply: BridgeReply): void;
  /** `connect()` threw: the extension is gone, and the link closed for good. */
  onGone?(): void;
  /** The frame's state before anything is reported (default: visible, not registered, no room). */
  state?: FrameState;
  /** Waits between reconnect attempts (default RECONNECT_DELAYS_MS). */
  delaysMs?: readonly number[];
}

interface InFlight {
  message: unknown;
  /** Sent again on the next port if this one is lost; otherwise answered with UnavailableError. */
  retry: boolean;
  sent: boolean;
  /** For `connect` and `focusRoom`: what their result tells about the frame. */
  method?: string;
  roomId?: string | null;
}

/**
 * A port to the background that survives the background's restarts.
 * @example link.request(envelope.id, envelope); link.report({ visible: false }, { openPort: false });
 */
export class PortLink {
  readonly #options: PortLinkOptions;
  readonly #delays: readonly number[];
  readonly #inflight = new Map<string, InFlight>();
  #state: FrameState;
  #port: BridgePort | undefined;
  #closed = false;
  #attempts = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: PortLinkOptions) {
    this.#options = options;
    this.#delays = options.delaysMs ?? RECONNECT_DELAYS_MS;
    this.#state = { ...(options.state ?? { visible: true, connected: false, focusedRoom: null }) };
  }

  /** What the frame reports about itself (kept across reconnects). */
  get state(): Readonly<FrameState> {
    return this.#state;
  }

  /** Whether a port is open now. */
  get open(): boolean {
    return this.#port !== undefined;
  }

  /**
   * Sends a request envelope and tracks it until its result or error: a lost port sends it again
   * when its method is idempotent, else answers it with UnavailableError. False (nothing tracked)
   * when no port can be opened.
   * @example if (!link.send(envelope)) answerUnavailable(envelope.id);
   */
  send(envelope: RequestEnvelope): boolean {
    const params = envelope.params as { roomId?: string | null } | null;
    return this.#track(envelope.id, {
      message: envelope,
      retry: IDEMPOTENT_METHODS.has(envelope.method as never),
      sent: false,
      method: envelope.method,
      roomId: envelope.method === 'focusRoom' ? (params?.roomId ?? null) : undefined,
    });
  }

  /**
   * Sends another message answered by id (an extension page's admin command); it is never sent
   * twice: a lost port answers it with UnavailableError.
   * @example link.sendOnce(id, { type: 'admin', id, command, args });
   */
  sendOnce(id: string, message: unknown): boolean {
    return this.#track(id, { message, retry: false, sent: false });
  }

  /**
   * Changes what the frame reports and tells the background: over the open port, or (with
   * `openPort`) over a new one when none is open. A frame that never asked for anything keeps
   * no port open just to say it is visible.
   * @example link.report({ visible: document.visibilityState === 'visible' }, { openPort: false });
   */
  report(patch: Partial<FrameState>, options: { openPort: boolean }): void {
    this.#state = { ...this.#state, ...patch };
    if (this.#port) this.#post(this.#port, this.#greeting());
    else if (options.openPort) this.#ensure();
  }

  /**
   * Posts a ping over the open port, if any (keeps an MV3 worker from idling out).
   * @example setInterval(() => link.ping(), 20_000);
   */
  ping(): void {
    if (this.#port) this.#post(this.#port, { type: 'ping' } satisfies PortControl);
  }

  /**
   * Lets go of the port without counting it as lost (a page entering the back-forward cache must
   * not hold it): requests not safe to repeat fail, the rest wait for `resume()`.
   * @example addEventListener('pagehide', (e) => e.persisted && link.suspend());
   */
  suspend(): void {
    const port = this.#port;
    if (!port) return;
    this.#port = undefined;
    this.#settleInflight();
    try {
      port.disconnect();
    } catch {
      // Already gone.
    }
  }

  /**
   * Opens the port again now if the frame is registered or has requests waiting.
   * @example addEventListener('pageshow', (e) => e.persisted && link.resume());
   */
  resume(): void {
    if (this.#state.connected || this.#inflight.size > 0) this.#ensure();
  }

  /** Closes the port for good; nothing is sent or retried after this. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const port = this.#port;
    this.#port = undefined;
    try {
      port?.disconnect();
    } catch {
      // Already gone.
    }
  }

  #track(id: string, entry: InFlight): boolean {
    this.#inflight.set(id, entry);
    const port = this.#ensure();
    if (!port) {
      this.#inflight.delete(id);
      return false;
    }
    if (!entry.sent) {
      entry.sent = true;
      this.#post(port, entry.message);
    }
    return true;
  }

  #greeting(): PortControl {
    return { type: 'frame', state: { ...this.#state } };
  }

  /** The open port, or a new one that has carried the frame's state and every request waiting. */
  #ensure(): BridgePort | undefined {
    if (this.#port || this.#closed) return this.#port;
    let port: BridgePort;
    try {
      port = this.#options.connect();
    } catch {
      // The extension was updated or removed: this frame's bridge is orphaned for good.
      this.close();
      this.#options.onGone?.();
      return undefined;
    }
    this.#port = port;
    port.onMessage.addListener((raw) => {
      if (port === this.#port) this.#receive(raw);
    });
    port.onDisconnect.addListener(() => {
      if (port === this.#port) this.#lost();
    });
    this.#post(port, this.#greeting());
    for (const entry of this.#inflight.values()) {
      if (entry.sent || this.#port !== port) continue;
      entry.sent = true;
      this.#post(port, entry.message);
    }
    return this.#port;
  }

  #post(port: BridgePort, message: unknown): void {
    try {
      port.postMessage(message);
    } catch {
      // The port broke under us: the same as its disconnect.
      if (port === this.#port) this.#lost();
    }
  }

  #receive(raw: unknown): void {
    const reply = readReply(raw);
    if (!reply) return;
    this.#attempts = 0; // The background answers: the next loss starts the waits again.
    if (reply.kind === 'result' || reply.kind === 'error') {
      const entry = this.#inflight.get(reply.id);
      this.#inflight.delete(reply.id);
      if (entry?.method === 'connect') this.#state.connected = reply.kind === 'result';
      if (entry?.method === 'focusRoom' && reply.kind === 'result')
        this.#state.focusedRoom = entry.roomId ?? null;
    }
    this.#options.onReply(reply);
  }

  #lost(): void {
    this.#port = undefined;
    this.#settleInflight();
    if (this.#closed) return;
    if (this.#state.connected) {
      this.#options.onReply({ kind: 'event', event: { type: 'connection', detail: 'reconnecting' } });
    }
    if (this.#state.connected || this.#inflight.size > 0) {
      const delay = this.#delays[Math.min(this.#attempts++, this.#delays.length - 1)] ?? 0;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#ensure();
      }, delay);
    }
  }

  /** After a port is gone: requests safe to repeat wait for the next one, the rest fail now. */
  #settleInflight(): void {
    const error = toWireError(
      new UnavailableError('The RoomKey extension restarted while handling this request: try again.'),
    );
    for (const [id, entry] of this.#inflight) {
      if (entry.retry) {
        entry.sent = false;
        continue;
      }
      this.#inflight.delete(id);
      this.#options.onReply({ kind: 'error', id, error });
    }
  }
}
