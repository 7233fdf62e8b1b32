/**
 * `ExtensionClient`: the RoomKeyClient of a page when the RoomKey extension is installed. Keys,
 * the NATS connection and the user's approval of this site live in the extension; the page only
 * sends requests over the window bridge (bridge-protocol.ts) and receives results and events.
 * The account is the extension's alone: a page cannot sign in, sign up, unlock or sign out (its
 * `openSignIn()` asks the extension to show its own window, where the password is typed).
 * `BridgeClient` is the same client over any transport (the extension's own pages use a port).
 * @example const client = await connectExtension({ gateway: 'https://rooms.example.com/' }); if (client) setDefaultClient(client);
 */
import { MalformedError, UnavailableError } from '../../core/errors.ts';
import {
  BRIDGE_CHANNEL,
  BRIDGE_VERSION,
  type BridgeMethod,
  type BridgeReply,
  type ClientStateSnapshot,
  EXTENSION_MARKER,
  ExtensionOnlyError,
  fromWireError,
  type HelloResult,
  type ParamsOf,
  pageEnvelope,
  type ResultOf,
  type RoomAccess,
} from './bridge-protocol.ts';
import type {
  ConnectionState,
  HistoryProgress,
  KeyState,
  RoomKeyClient,
  RoomSummary,
  SentMessage,
  Session,
  StoredMessage,
} from './types.ts';

export { ExtensionOnlyError, NotApprovedError } from './bridge-protocol.ts';

/** Carries requests to the extension and hands back every reply and event. */
export interface BridgeTransport {
  send(request: { id: string; method: BridgeMethod; params: unknown }): void;
  /** Registers the one receiver; returns a function that stops listening. */
  listen(receiver: (reply: BridgeReply) => void): () => void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onProgress: ((progress: HistoryProgress) => void) | undefined;
}

const randomPart = (): string => Math.random().toString(36).slice(2, 10);

/**
 * A RoomKeyClient whose every call is a bridge request. State (`connection`, `keys`, `session`)
 * follows the extension's events; `connect()` asks for this site's approval and fetches it.
 * @example const client = new BridgeClient(transport, { gateway }); await client.connect();
 */
export class BridgeClient extends EventTarget implements RoomKeyClient {
  readonly #transport: BridgeTransport;
  readonly #gateway: string | undefined;
  readonly #pending = new Map<string, Pending>();
  readonly #prefix = `rk${randomPart()}`;
  readonly #stop: () => void;
  #next = 0;
  #connection: ConnectionState = 'connecting';
  #keys: KeyState = 'locked';
  #session: Session | null = null;

  constructor(transport: BridgeTransport, options: { gateway?: string } = {}) {
    super();
    this.#transport = transport;
    this.#gateway = options.gateway;
    this.#stop = transport.listen((reply) => this.#receive(reply));
  }

  get connection(): ConnectionState {
    return this.#connection;
  }
  get keys(): KeyState {
    return this.#keys;
  }
  get session(): Session | null {
    return this.#session;
  }

  /**
   * Asks the extension to let this site use RoomKey (the user is asked the first time) and takes
   * over its state. NotApprovedError when the user declined.
   * @example const state = await client.connect();
   */
  async connect(): Promise<ClientStateSnapshot> {
    const state = await this.request('connect', {});
    this.#set('connection', state.connection);
    this.#set('keys', state.keys);
    this.#set('session', state.session);
    return state;
  }

  /**
   * Sends one request and settles with its result, or rejects with the typed error.
   * @example const rooms = await client.request('listRooms', {});
   */
  request<M extends BridgeMethod>(
    method: M,
    params: ParamsOf<M>,
    onProgress?: (progress: HistoryProgress) => void,
  ): Promise<ResultOf<M>> {
    const id = `${this.#prefix}-${++this.#next}`;
    return new Promise<ResultOf<M>>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      try {
        this.#transport.send({ id, method, params });
      } catch (error) {
        this.#pending.delete(id);
        reject(new UnavailableError('RoomKey extension: the request could not be sent.', { cause: error }));
      }
    });
  }

  /** Stops listening; requests still waiting fail with UnavailableError. */
  close(): void {
    this.#stop();
    for (const pending of this.#pending.values()) {
      pending.reject(new UnavailableError('RoomKey extension: the client was closed.'));
    }
    this.#pending.clear();
  }

  #gatewayUrl(): string {
    if (!this.#gateway) {
      throw new MalformedError(
        'RoomKey: no gateway URL is known for this page (set data-gateway on the script tag).',
      );
    }
    return this.#gateway;
  }

  async signUp(username: string, password: string): Promise<Session> {
    return this.request('signUp', { gateway: this.#gatewayUrl(), username, password });
  }
  async signIn(username: string, password: string): Promise<Session> {
    return this.request('signIn', { gateway: this.#gatewayUrl(), username, password });
  }
  async signOut(): Promise<void> {
    await this.request('signOut', {});
  }
  async lock(): Promise<void> {
    await this.request('lock', {});
  }
  async unlock(password: string): Promise<void> {
    await this.request('unlock', { password });
  }
  listRooms(): Promise<RoomSummary[]> {
    return this.request('listRooms', {});
  }
  createRoom(name: string): Promise<RoomSummary> {
    return this.request('createRoom', { name });
  }
  invite(roomId: string, username: string, options: { shareHistory?: boolean } = {}): Promise<RoomSummary> {
    return this.request('invite', { roomId, username, shareHistory: options.shareHistory ?? false });
  }
  removeMember(roomId: string, userId: string): Promise<RoomSummary> {
    return this.request('removeMember', { roomId, userId });
  }
  send(roomId: string, text: string): Promise<SentMessage> {
    return this.request('send', { roomId, text });
  }
  history(
    roomId: string,
    options: { limit?: number; onProgress?: (progress: HistoryProgress) => void } = {},
  ): Promise<StoredMessage[]> {
    return this.request('history', { roomId, limit: options.limit ?? null }, options.onProgress);
  }
  focusRoom(roomId: string | null): void {
    // Fire and forget: the room element calls this from lifecycle callbacks that cannot wait.
    this.request('focusRoom', { roomId }).catch(() => undefined);
  }

  /**
   * Asks the user to approve this site for a room (`read`: the page gets its messages; `sealed`:
   * only the extension's iframe does). NotApprovedError when declined.
   * @example await client.requestRoom(roomId, 'sealed');
   */
  async requestRoom(roomId: string, access: RoomAccess): Promise<RoomAccess> {
    return (await this.request('requestRoom', { roomId, access })).access;
  }

  /**
   * Asks the extension to show its own sign-in / unlock window (or to focus it when it is open
   * already). The page's gateway, if any, goes along as a suggestion the user confirms there.
   * Nothing comes back: the page hears the outcome as `keys` and `session` events.
   * @example button.onclick = () => client.openSignIn();
   */
  async openSignIn(): Promise<void> {
    await this.request('openSignIn', { gateway: this.#gateway ?? null });
  }

  /**
   * The URL of the extension page that shows `roomId` inside an iframe (sealed mode): the host
   * page sees neither keys nor plaintext. Asks for `sealed` approval first.
   * @example iframe.src = await client.sealedRoomUrl(roomId);
   */
  async sealedRoomUrl(roomId: string): Promise<string> {
    return (await this.request('sealedRoomUrl', { roomId })).url;
  }

  #receive(reply: BridgeReply): void {
    if (reply.kind === 'event') {
      const { type, detail } = reply.event;
      if (type === 'connection' || type === 'keys' || type === 'session') this.#set(type, detail);
      else this.dispatchEvent(new CustomEvent(type, { detail }));
      return;
    }
    const pending = this.#pending.get(reply.id);
    if (!pending) return;
    if (reply.kind === 'progress') {
      pending.onProgress?.(reply.progress);
      return;
    }
    this.#pending.delete(reply.id);
    if (reply.kind === 'result') pending.resolve(reply.result);
    else pending.reject(fromWireError(reply.error));
  }

  #set(type: 'connection' | 'keys' | 'session', value: unknown): void {
    const before = type === 'connection' ? this.#connection : type === 'keys' ? this.#keys : this.#session;
    if (JSON.stringify(before) === JSON.stringify(value)) return;
    if (type === 'connection') this.#connection = value as ConnectionState;
    else if (type === 'keys') this.#keys = value as KeyState;
    else this.#session = value as Session | null;
    this.dispatchEvent(new CustomEvent(type, { detail: value }));
  }
}

/**
 * The page side of the window bridge: posts requests to this window (the content script listens
 * there) and accepts only replies posted on this same window with the right channel and version.
 * @example const transport = new WindowTransport(window);
 */
export class WindowTransport implements BridgeTransport {
  readonly #window: Window;

  constructor(win: Window = window) {
    this.#window = win;
  }

  send(request: { id: string; method: BridgeMethod; params: unknown }): void {
    this.#window.postMessage(pageEnvelope(request), this.#window.location.origin);
  }

  listen(receiver: (reply: BridgeReply) => void): () => void {
    const onMessage = (event: MessageEvent): void => {
      if (event.source !== this.#window) return;
      const data = event.data as Record<string, unknown> | null;
      if (typeof data !== 'object' || data === null) return;
      if (
        data['channel'] !== BRIDGE_CHANNEL ||
        data['from'] !== 'extension' ||
        data['version'] !== BRIDGE_VERSION
      )
        return;
      receiver(data as unknown as BridgeReply);
    };
    this.#window.addEventListener('message', onMessage);
    return () => this.#window.removeEventListener('message', onMessage);
  }
}

/**
 * The RoomKeyClient of a page when the extension is present.
 * @example const client = new ExtensionClient({ gateway }); await client.connect();
 */
export class ExtensionClient extends BridgeClient {
  constructor(options: { gateway?: string; window?: Window } = {}) {
    super(new WindowTransport(options.window ?? window), { gateway: options.gateway });
  }

  // A password handed to a page's client goes nowhere: it is not even posted on the window (where
  // any script of the page could read it). The user types it in the extension's window instead.
  override async signUp(_username: string, _password: string): Promise<Session> {
    throw new ExtensionOnlyError();
  }
  override async signIn(_username: string, _password: string): Promise<Session> {
    throw new ExtensionOnlyError();
  }
  override async unlock(_password: string): Promise<void> {
    throw new ExtensionOnlyError();
  }
}

/**
 * Whether the content script has marked this document (synchronous, no round trip). The marker
 * alone proves nothing (a page can set it); {@link detectExtension} confirms with a ping.
 * @example if (extensionMarked()) await detectExtension();
 */
export function extensionMarked(doc: Document = document): boolean {
  return doc.documentElement?.hasAttribute(EXTENSION_MARKER) ?? false;
}

/**
 * Asks the content script for `hello`: the versions it speaks, or undefined when no extension
 * answers. Without the marker on a parsed document the answer is known at once (content scripts
 * run at document_start, before any page script); otherwise it waits at most `timeoutMs`.
 * @example const hello = await detectExtension(); if (hello) useExtension();
 */
export async function detectExtension(
  options: { timeoutMs?: number; window?: Window } = {},
): Promise<HelloResult | undefined> {
  const win = options.window ?? window;
  if (!extensionMarked(win.document) && win.document.readyState !== 'loading') return undefined;
  const client = new BridgeClient(new WindowTransport(win));
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      client.request('hello', {}),
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), options.timeoutMs ?? 500);
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
    client.close();
  }
}

/**
 * The one call for the script tag: an ExtensionClient connected to the extension (after the user
 * approved this site), or undefined when the extension is not installed. Rejects with
 * NotApprovedError when the user declined this site.
 * @example const client = (await connectExtension({ gateway })) ?? (await connectInPage(gateway));
 */
export async function connectExtension(
  options: { gateway?: string; timeoutMs?: number; window?: Window } = {},
): Promise<ExtensionClient | undefined> {
  const hello = await detectExtension(options);
  if (!hello?.versions.includes(BRIDGE_VERSION)) return undefined;
  const client = new ExtensionClient(options);
  try {
    await client.connect();
  } catch (error) {
    client.close();
    throw error;
  }
  return client;
}
