/**
 * The key-state machine every host shows its user: `signed-out` (no account on this device),
 * `locked` (an account at rest, the password needed), `ready` (unlocked, a session running), with
 * the connection state and who is signed in beside it. Account operations (sign-up, sign-in,
 * unlock, lock, sign-out) run one at a time, so a lock during an unlock or two sign-ins cannot
 * interleave; each state change is applied whole before anyone hears of it, so a listener never
 * sees `session: null` with keys still `ready`, nor `ready` without the session.
 * @example const keys = new KeyStateMachine((state, changed) => render(state)); await keys.run(() => unlock());
 */
import { ConflictError, LockedError, NotFoundError } from '../../errors.ts';
import { SerialQueue } from '../../serial.ts';
import type { ConnectionState, KeyState } from '../types.ts';

/** Who is signed in. */
export interface SessionInfo {
  userId: string;
  username: string;
}

/** The account as every host shows it. */
export interface KeyStateSnapshot {
  keys: KeyState;
  connection: ConnectionState;
  session: SessionInfo | null;
}

/** The fields that changed, in the order hosts announce them (who, then keys, then connection). */
export type KeyStateChange = 'session' | 'keys' | 'connection';
const ORDER: readonly KeyStateChange[] = ['session', 'keys', 'connection'];

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The state, its changes and the one-at-a-time account operations (see the top of this file).
 * @example machine.set({ keys: 'ready', session: { userId, username } });
 */
export class KeyStateMachine<S extends KeyStateSnapshot = KeyStateSnapshot> {
  #state: S;
  readonly #onChange: (state: S, changed: KeyStateChange[]) => void;
  readonly #operations = new SerialQueue();

  constructor(initial: S, onChange: (state: S, changed: KeyStateChange[]) => void) {
    this.#state = { ...initial };
    this.#onChange = onChange;
  }

  /** A copy of the current state. */
  get state(): S {
    return { ...this.#state };
  }

  get keys(): KeyState {
    return this.#state.keys;
  }

  /** Applies a change whole, then tells the listener which fields changed (nothing when none did). */
  set(patch: Partial<S>): void {
    const next = { ...this.#state, ...patch };
    const changed = (Object.keys(next) as (keyof S)[]).filter((k) => !same(next[k], this.#state[k]));
    if (changed.length === 0) return;
    this.#state = next;
    const announced = ORDER.filter((k) => changed.includes(k as keyof S));
    this.#onChange(this.state, announced);
  }

  /** Runs an account operation after the ones before it (a failed one does not stop the next). */
  run<T>(operation: () => Promise<T>): Promise<T> {
    return this.#operations.run(operation);
  }

  /** Throws what to do unless the keys are ready: sign in (signed out) or unlock (locked). */
  requireReady(): void {
    if (this.#state.keys === 'ready') return;
    if (this.#state.keys === 'signed-out')
      throw new NotFoundError('Not signed in to RoomKey: sign in first.');
    throw new LockedError('RoomKey is locked: unlock it with your password first.');
  }

  /** Throws unless nobody is signed in here (sign-up and a sign-in on a fresh store need that). */
  requireSignedOut(): void {
    if (this.#state.keys !== 'signed-out')
      throw new ConflictError('RoomKey is already signed in on this device: sign out first.');
  }
}
