// The demo page's glue, written the way a third-party site would: it imports the same
// /dist/roomkey.js module the script tag loaded (one instance) and uses only its public API.
//  - deep links: `#room=<roomId>` selects a room; picking a room or a toast updates the link;
//  - a notice that says "You are offline" (the browser's network state and the client's);
//  - the extension offered to those who do not have it;
//  - the service worker that precaches this page, so it loads offline, and shows notifications.
import { autoConnected, defaultClientChanges, getDefaultClient } from '/dist/roomkey.js';

const roomEl = document.querySelector('roomkey-room');
const roomsEl = document.querySelector('roomkey-rooms');
const network = document.getElementById('network');
const connectError = document.getElementById('connect-error');

/** The room the URL's fragment asks for, or ''. */
function roomFromHash() {
  return new URLSearchParams(location.hash.slice(1)).get('room') ?? '';
}

function showRoom() {
  const roomId = roomFromHash();
  if (roomId) {
    roomEl.setAttribute('room-id', roomId);
    roomsEl.setAttribute('selected', roomId);
  } else {
    roomEl.removeAttribute('room-id');
    roomsEl.removeAttribute('selected');
  }
}

function openRoom(roomId) {
  const hash = `#room=${encodeURIComponent(roomId)}`;
  if (location.hash !== hash) location.hash = hash; // fires hashchange → showRoom
}

window.addEventListener('hashchange', showRoom);
document.addEventListener('roomkey-room-select', (e) => openRoom(e.detail.roomId));
document.addEventListener('roomkey-room-created', (e) => openRoom(e.detail.room.roomId));
document.addEventListener('roomkey-notification-click', (e) => openRoom(e.detail.roomId));
showRoom();

// Offline: the browser knows it has no network, or the client lost its connection. Offline, that
// says it all; online, a failed automatic connection is shown with its reason.
let client;
let connectFailure = '';
function showNetwork() {
  // Signed out or locked, the client is not connected on purpose: that is not being offline.
  const offline = !navigator.onLine || (client?.connection === 'offline' && client?.keys === 'ready');
  network.textContent = offline ? 'You are offline' : '';
  connectError.textContent = offline || !connectFailure ? '' : `Not connected: ${connectFailure}`;
}
function followClient() {
  client?.removeEventListener('connection', showNetwork);
  client?.removeEventListener('keys', showNetwork);
  client = getDefaultClient();
  client?.addEventListener('connection', showNetwork);
  client?.addEventListener('keys', showNetwork);
  showNetwork();
}
window.addEventListener('online', showNetwork);
window.addEventListener('offline', showNetwork);
defaultClientChanges.addEventListener('change', followClient);
followClient();
autoConnected.then(
  () => {
    connectFailure = '';
    showNetwork();
  },
  (error) => {
    connectFailure = error.message;
    showNetwork();
  },
);

// The extension is offered only to those who do not have it: its content script marks the page at
// once, and its client opens the extension's own sign-in window.
const extensionOffer = document.getElementById('get-extension');
function showExtensionOffer() {
  const present =
    document.documentElement.hasAttribute('data-roomkey-extension') ||
    typeof getDefaultClient()?.openSignIn === 'function';
  extensionOffer.hidden = present;
}
defaultClientChanges.addEventListener('change', showExtensionOffer);
autoConnected.finally(showExtensionOffer).catch(() => undefined);

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch((error) => {
    console.warn(`RoomKey demo: service worker not registered: ${error.message}`);
  });
}
