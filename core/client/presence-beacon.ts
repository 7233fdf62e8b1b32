/**
 * This device's presence beacons (DESIGN.md "Presence and notifications"): its state (active,
 * idle, hidden) and the room on screen, published on the device's presence subject on every change
 * and every 30 s while the session is unlocked, so the gateway's router knows whether to send an
 * App Notification or leave the message for Web Push. The gateway drops a device's beacons closer
 * than 500 ms together, so changes that come quicker (a room left, then the tab hidden) go out once
 * that gap has passed, as one beacon with the latest state: the last change always arrives.
 * @example const beacon = new PresenceBeacon({ nc, deviceKey, userId }); beacon.start(); beacon.set({ state: 'hidden' });
 */
import type { NatsConnection } from '@nats-io/nats-core';
import * as v1 from '../../proto/index.ts';
import { encode } from '../codec.ts';
import { userNkey } from '../transport/nkey.ts';
import { presenceSubject } from '../transport/subjects.ts';
import type { PresenceState } from './types.ts';

const PRESENCE_EVERY_MS = 30_000;
/** The gateway's 500 ms between one device's beacons (gateway/presence.ts), and a margin. */
const MIN_GAP_MS = 600;
const PRESENCE_CODE: Record<PresenceState, number> = {
  active: v1.PresenceState.PRESENCE_STATE_ACTIVE,
  idle: v1.PresenceState.PRESENCE_STATE_IDLE,
  hidden: v1.PresenceState.PRESENCE_STATE_HIDDEN,
};

export interface PresenceBeaconDeps {
  /** The device connection while the session is unlocked, else undefined (nothing is sent). */
  nc: () => NatsConnection | undefined;
  deviceKey: Uint8Array;
  userId: string;
  /** Presence at start (default 'active'). */
  state?: PresenceState;
  onError?: (error: Error) => void;
}

/**
 * What this device tells the gateway about its presence (see the top of this file).
 * @example beacon.set({ focusedRoomId: roomId });
 */
export class PresenceBeacon {
  readonly #deps: PresenceBeaconDeps;
  readonly #subject: string;
  #state: PresenceState;
  #focusedRoomId: string | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #trailing: ReturnType<typeof setTimeout> | undefined;
  #sentAtMs = Number.NEGATIVE_INFINITY;

  constructor(deps: PresenceBeaconDeps) {
    this.#deps = deps;
    this.#subject = presenceSubject(userNkey(deps.deviceKey));
    this.#state = deps.state ?? 'active';
  }

  get state(): PresenceState {
    return this.#state;
  }

  get focusedRoomId(): string | null {
    return this.#focusedRoomId;
  }

  /** Changes what the beacon says and sends it now, or as soon as the gateway takes another. */
  set(change: { state?: PresenceState; focusedRoomId?: string | null }): void {
    if (change.state !== undefined) this.#state = change.state;
    if (change.focusedRoomId !== undefined) this.#focusedRoomId = change.focusedRoomId;
    const waitMs = this.#sentAtMs + MIN_GAP_MS - Date.now();
    if (waitMs <= 0) {
      this.send();
      return;
    }
    this.#trailing ??= setTimeout(() => {
      this.#trailing = undefined;
      this.send();
    }, waitMs);
  }

  /** Sends now and every 30 s until stop(). */
  start(): void {
    this.send();
    this.#timer ??= setInterval(() => this.send(), PRESENCE_EVERY_MS);
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    if (this.#trailing !== undefined) clearTimeout(this.#trailing);
    this.#timer = undefined;
    this.#trailing = undefined;
  }

  send(): void {
    const nc = this.#deps.nc();
    if (!nc || nc.isClosed()) return;
    const beacon = encode(v1.PresenceBeacon, {
      deviceKey: this.#deps.deviceKey,
      userId: this.#deps.userId,
      state: PRESENCE_CODE[this.#state],
      focusedRoomId: this.#focusedRoomId ?? '',
      sentAtMs: Date.now(),
    });
    try {
      nc.publish(this.#subject, beacon);
      this.#sentAtMs = Date.now();
    } catch (error) {
      this.#deps.onError?.(error as Error);
    }
  }
}
