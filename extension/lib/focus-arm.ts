/**
 * Arms the buttons of a window that asks the user something (approval, confirmation) only after
 * the window has been in front, focused and visible, for a short while without a break, as
 * browsers do for their permission prompts. A page cannot then make the window appear under a
 * click or key press already on its way (a double-click, a held Enter) and have that answer it.
 * Losing focus or visibility disarms at once and restarts the wait.
 * @example const stop = armAfterFocus(window, (armed) => setButtonsEnabled(armed));
 */

/** The wait; browsers use ~500 ms to ~1 s for theirs. */
export const ARM_DELAY_MS = 750;

/** The part of `window` used here (unit tests pass a fake). */
export interface FocusWindow {
  addEventListener(type: 'focus' | 'blur', listener: () => void): void;
  removeEventListener(type: 'focus' | 'blur', listener: () => void): void;
  readonly document: {
    hasFocus(): boolean;
    readonly visibilityState: string;
    addEventListener(type: 'visibilitychange', listener: () => void): void;
    removeEventListener(type: 'visibilitychange', listener: () => void): void;
  };
}

/** Timers, replaceable in tests. */
export interface ArmTimers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: ArmTimers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Calls `onChange(true)` once `win` has held focus and visibility for `delayMs` in a row, and
 * `onChange(false)` as soon as it loses either. Starts disarmed; returns a function that stops.
 * @example const stop = armAfterFocus(window, (armed) => render(armed));
 */
export function armAfterFocus(
  win: FocusWindow,
  onChange: (armed: boolean) => void,
  options: { delayMs?: number; timers?: ArmTimers } = {},
): () => void {
  const delayMs = options.delayMs ?? ARM_DELAY_MS;
  const timers = options.timers ?? realTimers;
  const doc = win.document;
  let armed = false;
  let timer: unknown;

  const inFront = (): boolean => doc.hasFocus() && doc.visibilityState === 'visible';
  const disarm = (): void => {
    if (timer !== undefined) timers.clear(timer);
    timer = undefined;
    if (armed) {
      armed = false;
      onChange(false);
    }
  };
  /** Any change of focus or visibility: disarm, and start the wait again if in front now. */
  const restart = (): void => {
    disarm();
    if (!inFront()) return;
    timer = timers.set(() => {
      timer = undefined;
      if (!inFront()) return;
      armed = true;
      onChange(true);
    }, delayMs);
  };

  win.addEventListener('focus', restart);
  win.addEventListener('blur', restart);
  doc.addEventListener('visibilitychange', restart);
  restart();
  return () => {
    win.removeEventListener('focus', restart);
    win.removeEventListener('blur', restart);
    doc.removeEventListener('visibilitychange', restart);
    disarm();
  };
}
