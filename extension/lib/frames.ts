/**
 * The tab registry: every frame connected to the background (a site's page through its content
 * script, a sealed room iframe, an extension page), with what it reported: whether it is visible,
 * which room it shows, whether it completed `connect`. Rebuilt from the frames themselves after a
 * background restart (they reconnect and report again), so nothing here is persisted.
 * @example registry.add(port, { caller, tabId, frameId, url }); registry.update(port, { visible: false });
 */
import type { Presence } from './background-session.ts';
import type { FrameState } from './messages.ts';
import type { Caller } from './origin.ts';

/** One connected frame. */
export interface Frame extends FrameState {
  key: string;
  caller: Caller;
  tabId: number | undefined;
  frameId: number;
  /** The frame's own URL (for a sealed frame, the tab's URL: the page to reopen). */
  url: string | undefined;
  activeAtMs: number;
}

/**
 * Frames by their port. `P` is the port type (runtime.Port in the background, a fake in tests).
 * @example for (const [port, frame] of registry.entries()) port.postMessage(event);
 */
export class FrameRegistry<P> {
  readonly #frames = new Map<P, Frame>();
  #counter = 0;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  add(
    port: P,
    info: { caller: Caller; tabId: number | undefined; frameId: number; url: string | undefined },
  ): Frame {
    const frame: Frame = {
      ...info,
      key: `f${++this.#counter}`,
      visible: true,
      connected: false,
      focusedRoom: null,
      activeAtMs: this.#now(),
    };
    this.#frames.set(port, frame);
    return frame;
  }

  get(port: P): Frame | undefined {
    return this.#frames.get(port);
  }

  /** Applies a change; a frame that becomes visible or focuses a room becomes the most recent. */
  update(port: P, patch: Partial<FrameState>): Frame | undefined {
    const frame = this.#frames.get(port);
    if (!frame) return undefined;
    const livened =
      (patch.visible === true && !frame.visible) ||
      (patch.focusedRoom !== undefined && patch.focusedRoom !== frame.focusedRoom);
    Object.assign(frame, patch);
    if (livened) frame.activeAtMs = this.#now();
    return frame;
  }

  remove(port: P): Frame | undefined {
    const frame = this.#frames.get(port);
    this.#frames.delete(port);
    return frame;
  }

  portOf(key: string): P | undefined {
    for (const [port, frame] of this.#frames) if (frame.key === key) return port;
    return undefined;
  }

  entries(): [P, Frame][] {
    return [...this.#frames.entries()];
  }

  frames(): Frame[] {
    return [...this.#frames.values()];
  }
}

/**
 * The user's presence for the gateway, from all frames at once: active when any RoomKey frame is
 * visible, and the room of the most recently active visible frame.
 * @example session.setPresence(presenceOf(registry.frames()));
 */
export function presenceOf(frames: readonly Frame[]): Presence {
  const visible = frames.filter((f) => f.visible).sort((a, b) => b.activeAtMs - a.activeAtMs);
  if (visible.length === 0) return { state: frames.length > 0 ? 'hidden' : 'idle', focusedRoom: null };
  return { state: 'active', focusedRoom: visible.find((f) => f.focusedRoom)?.focusedRoom ?? null };
}
