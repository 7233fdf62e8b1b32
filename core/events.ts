/**
 * The one event mechanism of core: a typed emitter whose `on` returns the unsubscribe function.
 * Core objects (RoomKeySession, the runtime) emit plain values through it; a host that needs DOM
 * events wraps it once with `dispatchAsDomEvents`.
 * @example const events = new TypedEmitter<{ message: ChatMessage }>(); const off = events.on('message', show);
 */

type Listener<T> = (detail: T) => void;

export interface TypedEmitterOptions {
  /**
   * Where a listener's exception goes (default: rethrown on a fresh task, like an EventTarget
   * listener's), so one failing listener never keeps the event from the others.
   */
  onListenerError?: (error: unknown) => void;
}

/**
 * Listeners per event name, called in the order they subscribed.
 * @example emitter.emit('rooms', rooms);
 */
export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(options: TypedEmitterOptions = {}) {
    this.#onListenerError =
      options.onListenerError ??
      ((error) =>
        setTimeout(() => {
          throw error;
        }, 0));
  }

  /** Calls `listener` with every later `type` event; returns the unsubscribe function. */
  on<K extends keyof Events>(type: K, listener: Listener<Events[K]>): () => void {
    let set = this.#listeners.get(type);
    if (!set) {
      set = new Set();
      this.#listeners.set(type, set);
    }
    // Wrapped: the same function subscribed twice is two subscriptions, each with its own off.
    const entry: Listener<Events[K]> = (detail) => listener(detail);
    set.add(entry as Listener<never>);
    return () => {
      set.delete(entry as Listener<never>);
    };
  }

  /** Whether anyone listens to `type` now. */
  has(type: keyof Events): boolean {
    return (this.#listeners.get(type)?.size ?? 0) > 0;
  }

  emit<K extends keyof Events>(type: K, detail: Events[K]): void {
    const set = this.#listeners.get(type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(detail);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  /** Drops every listener (the emitter's owner is closed for good). */
  clear(): void {
    this.#listeners.clear();
  }
}

/** What `dispatchAsDomEvents` reads from: any object with TypedEmitter's `on`. */
export interface EventSource<Events extends object> {
  on<K extends keyof Events>(type: K, listener: (detail: Events[K]) => void): () => void;
}

/**
 * Re-dispatches `types` from `source` on `target` as CustomEvents with the value as `detail`;
 * returns the function that stops it.
 * @example const stop = dispatchAsDomEvents(session, client, ['rooms', 'message']);
 */
export function dispatchAsDomEvents<Events extends object>(
  source: EventSource<Events>,
  target: EventTarget,
  types: readonly (keyof Events & string)[],
): () => void {
  const offs = types.map((type) =>
    source.on(type, (detail) => target.dispatchEvent(new CustomEvent(type, { detail }))),
  );
  return () => {
    for (const off of offs) off();
  };
}
