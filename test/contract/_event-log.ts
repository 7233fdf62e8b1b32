/**
 * Every event a client dispatches, with the client's state at that moment, and the rules every
 * event must keep whenever it comes (the getters say what the event says; keys are never `ready`
 * without a session, the session never goes while keys are `ready`; every detail has its shape).
 * Internal to test/contract/.
 * @example const log = new EventLog(client); await log.waitFor(log.mark(), 'keys', (e) => e.type === 'keys', 5000);
 */
import type {
  ConnectionState,
  RoomKeyClient,
  RoomKeyClientEvents,
  RoomSummary,
  Session,
  StoredMessage,
} from '../../components/client/types.ts';
import { AssertionError, equal, ok } from '../helpers/assert.ts';
import {
  CONNECTION_STATES,
  checkNotification,
  checkRoom,
  checkSession,
  checkStored,
  sameSession,
} from './_shapes.ts';

const EVENT_TYPES = ['connection', 'keys', 'session', 'rooms', 'message', 'notification'] as const;

export interface Logged {
  type: keyof RoomKeyClientEvents;
  detail: unknown;
  /** The client's state when the event was dispatched. */
  state: { keys: string; session: Session | null; connection: ConnectionState };
}

/** Every event the client dispatches, with its state at that moment. */
export class EventLog {
  readonly entries: Logged[] = [];
  readonly #client: RoomKeyClient;
  readonly #listeners: [string, EventListener][] = [];
  readonly #waiters = new Set<() => void>();

  constructor(client: RoomKeyClient) {
    this.#client = client;
    for (const type of EVENT_TYPES) {
      const listener = (event: Event) => {
        const { keys, session, connection } = client;
        this.entries.push({
          type,
          detail: (event as CustomEvent).detail,
          state: { keys, session: session ? { ...session } : null, connection },
        });
        for (const wake of [...this.#waiters]) wake();
      };
      client.addEventListener(type, listener);
      this.#listeners.push([type, listener]);
    }
  }

  /** Where the log stands now (for `since`). */
  mark(): number {
    return this.entries.length;
  }

  since(mark: number, type?: keyof RoomKeyClientEvents): Logged[] {
    return this.entries.slice(mark).filter((e) => !type || e.type === type);
  }

  /** The first entry from `mark` on that matches, waiting up to `timeoutMs`. */
  async waitFor(
    mark: number,
    what: string,
    match: (e: Logged) => boolean,
    timeoutMs: number,
  ): Promise<Logged> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.entries.slice(mark).find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new AssertionError(`no ${what} within ${timeoutMs} ms; events: ${this.describe(mark)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 250));
        const waiters = this.#waiters;
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  }

  describe(mark = 0): string {
    return JSON.stringify(
      this.entries.slice(mark).map((e) => [e.type, e.type === 'message' ? '…' : e.detail]),
    ).slice(0, 1500);
  }

  close(): void {
    for (const [type, listener] of this.#listeners) this.#client.removeEventListener(type, listener);
  }
}

/** Checks what every event must satisfy whenever it comes (run after each step). */
export function checkEvents(entries: readonly Logged[]): void {
  for (const [i, e] of entries.entries()) {
    const where = `event #${i} (${e.type})`;
    if (e.type === 'keys') {
      equal(e.state.keys, e.detail, `${where}: the keys getter says what the event says`);
      // A component hearing "ready" must find who: the session is set first.
      if (e.detail === 'ready') ok(e.state.session, `${where}: keys became ready before the session was set`);
    } else if (e.type === 'session') {
      equal(
        sameSession(e.state.session, e.detail as Session | null),
        true,
        `${where}: session getter and event`,
      );
      // A component hearing "signed out" must not find keys still ready: keys go first.
      if (e.detail === null)
        ok(e.state.keys !== 'ready', `${where}: the session went while keys were still ready`);
      else checkSession(e.detail as Session, where);
    } else if (e.type === 'connection') {
      equal(e.state.connection, e.detail, `${where}: the connection getter says what the event says`);
      ok(CONNECTION_STATES.includes(e.detail as ConnectionState), `${where}: ${String(e.detail)}`);
    } else if (e.type === 'rooms') {
      ok(Array.isArray(e.detail), `${where}: a list`);
      for (const room of e.detail as RoomSummary[]) checkRoom(room, where);
    } else if (e.type === 'message') {
      checkStored(e.detail as StoredMessage, where);
    } else if (e.type === 'notification') {
      checkNotification(e.detail, where);
    }
  }
}
