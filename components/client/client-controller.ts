/**
 * A Lit reactive controller that gives an element its client: the element's own `client`
 * property, else the shared default (`setDefaultClient`). It follows the client's connection,
 * key and session events (re-rendering the host) and any extra events the element asks for.
 * @example #clients = new ClientController(this, { events: ['rooms'], onClient: () => this.#load() });
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import {
  DEFAULT_CLIENT_CHANGE,
  defaultClientChanges,
  defaultClientFailure,
  getDefaultClient,
} from './default.ts';
import type {
  ConnectionState,
  DnsView,
  KeyState,
  RoomKeyClient,
  RoomKeyClientEvents,
  Session,
} from './types.ts';

/** An element that can be given a client. */
export interface ClientHost extends ReactiveControllerHost, HTMLElement {
  client: RoomKeyClient | undefined;
}

export type ClientEventType = keyof RoomKeyClientEvents;

export interface ClientControllerOptions {
  /** Client events to deliver to `onEvent` besides `connection`, `keys` and `session`. */
  events?: readonly ClientEventType[];
  /** Called for every followed client event, with the event's `detail`. */
  onEvent?: <K extends ClientEventType>(type: K, detail: RoomKeyClientEvents[K]) => void;
  /** Called when the element's resolved client changes (to `undefined` when the element leaves the page). */
  onClient?: (client: RoomKeyClient | undefined) => void;
}

const ALWAYS: readonly ClientEventType[] = ['connection', 'keys', 'session', 'dns'];

export class ClientController implements ReactiveController {
  readonly #host: ClientHost;
  readonly #options: ClientControllerOptions;
  readonly #types: readonly ClientEventType[];
  #client: RoomKeyClient | undefined;
  #dns: DnsView | undefined;
  #connected = false;
  readonly #waiting = new Set<(client: RoomKeyClient | undefined) => void>();

  constructor(host: ClientHost, options: ClientControllerOptions = {}) {
    this.#host = host;
    this.#options = options;
    this.#types = [...new Set([...ALWAYS, ...(options.events ?? [])])];
    host.addController(this);
  }

  /** The client in use, if any. */
  get client(): RoomKeyClient | undefined {
    return this.#client;
  }

  /**
   * The client, waiting up to `timeoutMs` for one: a page's client often arrives after its elements
   * (its chunk loads lazily), and a user who submits a form meanwhile should not get an error.
   * Resolves `undefined` if none came in time, or at once when the page's client failed to start.
   */
  whenClient(timeoutMs: number): Promise<RoomKeyClient | undefined> {
    if (this.#client || this.failure) return Promise.resolve(this.#client);
    return new Promise((resolve) => {
      const done = (client: RoomKeyClient | undefined): void => {
        clearTimeout(timer);
        this.#waiting.delete(done);
        resolve(client);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.#waiting.add(done);
    });
  }

  /** Why there is no client: the page's client failed to start (words for a person). */
  get failure(): string | undefined {
    return this.#client || this.#host.client ? undefined : defaultClientFailure();
  }

  get connection(): ConnectionState | undefined {
    return this.#client?.connection;
  }

  get keys(): KeyState | undefined {
    return this.#client?.keys;
  }

  get session(): Session | null {
    return this.#client?.session ?? null;
  }

  /** The extension's last DNS check of the server's name, once it sent one (status lines show it). */
  get dns(): DnsView | undefined {
    return this.#dns;
  }

  hostConnected(): void {
    this.#connected = true;
    defaultClientChanges.addEventListener(DEFAULT_CLIENT_CHANGE, this.#onDefaultChange);
    this.sync();
  }

  hostDisconnected(): void {
    this.#connected = false;
    defaultClientChanges.removeEventListener(DEFAULT_CLIENT_CHANGE, this.#onDefaultChange);
    this.#use(undefined);
  }

  /** Re-resolves the client; the host calls it from `willUpdate` so a new `client` property takes effect. */
  sync(): void {
    if (!this.#connected) return;
    this.#use(this.#host.client ?? getDefaultClient());
  }

  #use(next: RoomKeyClient | undefined): void {
    if (next === this.#client) return;
    for (const type of this.#types) this.#client?.removeEventListener(type, this.#onClientEvent);
    this.#client = next;
    this.#dns = undefined;
    for (const type of this.#types) next?.addEventListener(type, this.#onClientEvent);
    this.#options.onClient?.(next);
    this.#host.requestUpdate();
    if (next) for (const done of [...this.#waiting]) done(next);
  }

  readonly #onDefaultChange = (): void => {
    this.sync();
    this.#host.requestUpdate();
    if (this.failure) for (const done of [...this.#waiting]) done(undefined);
  };

  readonly #onClientEvent = (event: Event): void => {
    const type = event.type as ClientEventType;
    const detail = (event as CustomEvent<RoomKeyClientEvents[typeof type]>).detail;
    if (type === 'dns') this.#dns = detail as DnsView;
    this.#options.onEvent?.(type, detail);
    this.#host.requestUpdate();
  };
}
