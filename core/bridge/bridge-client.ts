/**
 * `BridgeClient`: the RoomKeyClient whose every call is a bridge request, over any transport (a
 * page's `window`, an extension page's port). State (`connection`, `keys`, `session`) follows the
 * background's events; `connect()` asks for this site's approval and takes over its state.
 * @example const client = new BridgeClient(new WindowTransport(window), { gateway }); await client.connect();
 */
import type { KeyState, RoomKeyClient, Session } from '../client/client-api.ts';
import type { ContactView } from '../client/contacts.ts';
import type { MessageEventInput } from '../client/message-events-send.ts';
import type {
  ConnectionState,
  HistoryProgress,
  RoomSummary,
  SentMessage,
  StoredMessage,
  UnsentMessage,
} from '../client/types.ts';
import { MalformedError, UnavailableError } from '../errors.ts';
import {
  type BridgeMethod,
  type BridgeReply,
  type ClientStateSnapshot,
  type ParamsOf,
  type RequestEnvelope,
  type ResultOf,
  type RoomAccess,
  requestEnvelope,
} from './schema.ts';
import { fromWireError } from './wire-error.ts';

/** Carries request envelopes to the background and hands back every reply and event. */
export interface BridgeTransport {
  send(envelope: RequestEnvelope): void;
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
 * A RoomKeyClient whose every call is a bridge request.
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
    // Who before `ready`, `not ready` before nobody: a listener never sees half a state.
    const order = state.keys === 'ready' ? (['session', 'keys'] as const) : (['keys', 'session'] as const);
    this.#set('connection', state.connection);
    for (const type of order) this.#set(type, state[type]);
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
        this.#transport.send(requestEnvelope({ id, method, params }));
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
  sendEvent(roomId: string, event: MessageEventInput): Promise<SentMessage> {
    return this.request('sendEvent', { roomId, event });
  }
  /** The room's messages not sent yet, kept by the extension's background (its outbox). */
  unsent(roomId: string): Promise<UnsentMessage[]> {
    return this.request('unsent', { roomId });
  }
  retrySend(roomId: string, messageId: string): Promise<SentMessage> {
    return this.request('retrySend', { roomId, messageId });
  }
  async discardSend(roomId: string, messageId: string): Promise<void> {
    await this.request('discardSend', { roomId, messageId });
  }
  /** The rooms hidden on this device, of those this site may reach (the background keeps them). */
  hiddenRooms(): Promise<string[]> {
    return this.request('hiddenRooms', {});
  }
  setRoomHidden(roomId: string, hidden: boolean): Promise<string[]> {
    return this.request('setRoomHidden', { roomId, hidden });
  }
  history(
    roomId: string,
    options: { limit?: number; membership?: boolean; onProgress?: (progress: HistoryProgress) => void } = {},
  ): Promise<StoredMessage[]> {
    const params = { roomId, limit: options.limit ?? null };
    return this.request(
      'history',
      options.membership ? { ...params, membership: true } : params,
      options.onProgress,
    );
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

  /**
   * Contacts' trust and safety numbers (core/client/contacts.ts), for members of rooms this site
   * may read only (NotApprovedError otherwise).
   * @example const [bob] = await client.contacts([bobId]);
   */
  contacts(userIds: readonly string[]): Promise<ContactView[]> {
    return this.request('contacts', { userIds: [...userIds] });
  }

  /**
   * Asks the extension to show its own verify window for a contact (the page cannot verify or
   * accept a key change itself); the outcome arrives as a `contacts` event.
   * @example button.onclick = () => client.openVerifyContact(bobId);
   */
  async openVerifyContact(userId: string): Promise<void> {
    await this.request('openVerifyContact', { userId });
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
