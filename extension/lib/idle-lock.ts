/**
 * Locking after idle time: the browser's idle API reports when the computer has had no input for
 * the configured minutes (and when the screen locks); either locks the keys. The API wakes a
 * stopped worker, so nothing has to keep running for it.
 * @example idle.setDetectionInterval(idleDetectionSeconds(15)!); idle.onStateChanged.addListener((s) => shouldLock(s, 15) && lock());
 */

/** The idle API's smallest detection interval, in seconds. */
export const MIN_IDLE_SECONDS = 15;

/**
 * The detection interval for `minutes` of idle time, or undefined when idle locking is off (0).
 * @example idleDetectionSeconds(15) === 900
 */
export function idleDetectionSeconds(minutes: number): number | undefined {
  if (!(minutes > 0)) return undefined;
  return Math.max(MIN_IDLE_SECONDS, Math.round(minutes * 60));
}

/**
 * Whether an idle-state change should lock the keys: 'idle' (no input for the interval) and
 * 'locked' (screen locked) do, unless the user turned idle locking off.
 * @example shouldLock('locked', 15) === true
 */
export function shouldLock(state: string, minutes: number): boolean {
  if (!(minutes > 0)) return false;
  return state === 'idle' || state === 'locked';
}
