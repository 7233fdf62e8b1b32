/**
 * `notificationclick`: bring the user to the room. A window already showing that room is
 * focused; else an app window is navigated to the room's deep link and focused; else the deep
 * link opens in a new window.
 * @example event.waitUntil(openRoom(self.clients, roomDeepLink(roomId, scope), scope));
 */
import { inScope, roomFromUrl } from './deep-link.ts';
import type { SwClients, SwWindowClient } from './scope.ts';

export type WindowChoice = { action: 'focus' | 'navigate'; index: number } | { action: 'open' };

/** Which window serves `target` (an absolute deep link), given the open windows. Pure. */
export function chooseWindow(
  windows: ReadonlyArray<{ url: string; focused: boolean }>,
  target: string,
  scope: string,
): WindowChoice {
  const room = roomFromUrl(target);
  // Read fields one by one: a WindowClient's are prototype getters, which a spread would not copy.
  const app = windows
    .map((w, index) => ({ url: w.url, focused: w.focused, index }))
    .filter((w) => inScope(w.url, scope));
  // A generic notification (no room) is satisfied by any app window, whatever room it shows.
  const showing = preferFocused(app.filter((w) => !room || roomFromUrl(w.url) === room));
  if (showing) return { action: 'focus', index: showing.index };
  const other = preferFocused(app);
  if (other) return { action: 'navigate', index: other.index };
  return { action: 'open' };
}

function preferFocused<T extends { focused: boolean }>(windows: T[]): T | undefined {
  return windows.find((w) => w.focused) ?? windows[0];
}

/** Focuses, navigates or opens a window for `target`; returns what it did. */
export async function openRoom(
  clients: SwClients,
  target: string,
  scope: string,
): Promise<WindowChoice['action']> {
  const windows = await clients.matchAll({ type: 'window', includeUncontrolled: true });
  const choice = chooseWindow(windows, target, scope);
  if (choice.action === 'open') {
    await clients.openWindow(target);
    return 'open';
  }
  let win: SwWindowClient | null = windows[choice.index]!;
  if (choice.action === 'navigate') {
    try {
      // A same-document fragment change: the page keeps its state and follows `hashchange`.
      win = await win.navigate(target);
    } catch {
      // Not controlled by this worker (e.g. opened with a hard reload): open the link instead.
      await clients.openWindow(target);
      return 'open';
    }
  }
  try {
    await win?.focus();
  } catch {
    // Focusing needs the user's own click on the notification; a scripted event has none.
  }
  return choice.action;
}
