/**
 * The demo PWA's service worker (built to dist/sw.js, served at /sw.js, scope /):
 *  - precaches the app shell that workbox-build injects into `self.__WB_MANIFEST`, so the page
 *    loads offline and says so;
 *  - `push`: the payload is only a wake-up sentinel; what to show comes from `wakeFromPush`;
 *  - `notificationclick`: focuses the window showing the room, or brings one to its deep link.
 * The page registers it with `navigator.serviceWorker.register('/sw.js')`.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, matchPrecache, precacheAndRoute } from 'workbox-precaching';
import { registerRoute, setCatchHandler } from 'workbox-routing';
import { NetworkOnly } from 'workbox-strategies';
import { roomDeepLink } from './deep-link.ts';
import { openRoom } from './open-room.ts';
import { handlePush, notificationRoom } from './push.ts';
import type { SwGlobalScope } from './scope.ts';

const sw = self as unknown as SwGlobalScope;

/** Shown for a navigation outside the shell when the network fails. */
const OFFLINE_PAGE = '/offline.html';
const ICON = 'icons/icon-192.png';

// A new worker takes over at once: the shell it precaches is the one the page expects.
void sw.skipWaiting();
clientsClaim();

// '/' and '/index.html' are served from the precache (cache first), like every shell file.
// Spelled `self.__WB_MANIFEST` literally: workbox-build finds that text in the bundle and replaces it.
precacheAndRoute((self as unknown as SwGlobalScope).__WB_MANIFEST);
cleanupOutdatedCaches();

// Every other page goes to the network; if it cannot be reached, the offline page answers.
registerRoute(({ request }) => request.mode === 'navigate', new NetworkOnly());
setCatchHandler(async ({ request }) => {
  if (request.destination === 'document') return (await matchPrecache(OFFLINE_PAGE)) ?? Response.error();
  return Response.error();
});

sw.addEventListener('push', (event) => {
  const payload = event.data ? new Uint8Array(event.data.arrayBuffer()) : null;
  // Chrome expects every push to show a notification (userVisibleOnly); a payload that is not our
  // sentinel still shows nothing: its content must never reach the screen.
  event.waitUntil(handlePush(payload, sw.registration, { icon: ICON }));
});

sw.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const scope = sw.registration.scope;
  // The link is rebuilt from the room id, so a notification's data can only ever lead into the app.
  const target = roomDeepLink(notificationRoom(event.notification.data), scope);
  event.waitUntil(openRoom(sw.clients, target, scope));
});
