/**
 * The presence this device reports (DESIGN.md "Presence and notifications"): a state (active,
 * idle, hidden) and the room on screen, taken from the host (a page's visibility and focus, the
 * extension's frames), kept across lock and unlock, and handed to the running session, which sends
 * the beacons. Only changes go out: a host may report as often as its events fire.
 * @example const presence = new PresenceTracker(); presence.attach(session); presence.set(presenceFrom({ visible: true, focused: false }));
 */
import type { PresenceState } from '../types.ts';
import { type ScreenView, viewOf } from './notify-decision.ts';

/** What receives presence: the running session (it sends the beacons). */
export interface PresenceTarget {
  setPresence(state: PresenceState): void;
  focusRoom(roomId: string | null): void;
}

/**
 * active: visible and focused; idle: visible, not focused; hidden: not visible.
 * @example presenceFrom({ visible: document.visibilityState !== 'hidden', focused: document.hasFocus() })
 */
export function presenceFrom(signals: { visible: boolean; focused: boolean }): PresenceState {
  if (!signals.visible) return 'hidden';
  return signals.focused ? 'active' : 'idle';
}

/**
 * The device's presence and room on screen, forwarded to the attached session on change.
 * @example tracker.focus('r1'); tracker.set('hidden');
 */
export class PresenceTracker {
  #state: PresenceState;
  #focusedRoom: string | null = null;
  #target: PresenceTarget | undefined;

  constructor(initial: PresenceState = 'active') {
    this.#state = initial;
  }

  get state(): PresenceState {
    return this.#state;
  }

  get focusedRoom(): string | null {
    return this.#focusedRoom;
  }

  /** What the user sees of this host now (for the notification decision). */
  get view(): ScreenView {
    return viewOf(this.#state, this.#focusedRoom);
  }

  /** A new presence state from the host; forwarded when it changed. */
  set(state: PresenceState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#target?.setPresence(state);
  }

  /** The room on screen (null: none); forwarded when it changed. */
  focus(roomId: string | null): void {
    if (roomId === this.#focusedRoom) return;
    this.#focusedRoom = roomId;
    this.#target?.focusRoom(roomId);
  }

  /** Both at once (the extension reports them together); forwarded when either changed. */
  update(presence: { state: PresenceState; focusedRoom: string | null }): void {
    this.focus(presence.focusedRoom);
    this.set(presence.state);
  }

  /** A session became ready: it gets the current presence now and every change from here. */
  attach(target: PresenceTarget): void {
    this.#target = target;
    target.focusRoom(this.#focusedRoom);
    target.setPresence(this.#state);
  }

  /** The session is gone (locked, closed): changes are kept for the next one. */
  detach(target?: PresenceTarget): void {
    if (!target || target === this.#target) this.#target = undefined;
  }
}
