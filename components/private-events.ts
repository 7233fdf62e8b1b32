/**
 * Dispatches the elements' DOM events: CustomEvents that bubble and cross shadow roots. Internal.
 * @example emit(this, 'roomkey-room-select', { roomId, room });
 */
import type { RoomKeyEventMap } from './events.ts';

export function emit<K extends keyof RoomKeyEventMap>(
  target: EventTarget,
  type: K,
  detail: RoomKeyEventMap[K],
  options: { cancelable?: boolean } = {},
): boolean {
  return target.dispatchEvent(
    new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }),
  );
}
