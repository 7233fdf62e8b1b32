// WXT builds the browser extension from extension/ (entrypoints/ are the map: background.ts,
// bridge.content.ts, popup/, approve/, sealed-room/, room/). Chrome: `wxt build` → .output/chrome-mv3.
// Firefox: `wxt build -b firefox` → .output/firefox-mv2 (a persistent background page can hold the
// one NATS connection; Firefox's MV3 background is an event page that gets suspended).
// `--mode e2e` builds the test variant (the production build plus the inert `roomkeyE2E` probe)
// into .output/chrome-mv3-e2e.
import { defineConfig } from 'wxt';
import { BROWSER_ALIASES } from './scripts/browser-aliases.ts';

/** Pages the bridge runs on: every http(s) site can embed RoomKey with one script tag. */
const WEB = ['http://*/*', 'https://*/*'];

export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
  publicDir: 'extension/public',
  // Explicit imports only: the repo's tsc must understand every file without WXT's generated types.
  imports: false,
  manifest: ({ browser, manifestVersion }) => ({
    name: 'RoomKey',
    description: 'Keeps your RoomKey keys and one encrypted connection for every tab.',
    // DNS policy (extension/lib/dns-probes.ts): Firefox's `dns` API says whether its own DNS over
    // HTTPS resolved the gateway; Chromium has none, so `webRequest` (non-blocking, over the host
    // permissions below) reads the address the browser reached for a fetch to the gateway host.
    permissions: [
      'storage',
      'unlimitedStorage',
      'notifications',
      'idle',
      ...(browser === 'firefox' ? ['dns'] : ['webRequest']),
    ],
    // The content scripts need the sites anyway; this also gives the tab URL of a sealed iframe's
    // embedder (Firefox has no location.ancestorOrigins) and of a notification's tab.
    host_permissions: WEB,
    // The SDK's OPAQUE runs WebAssembly: extension pages and the worker may compile it (nothing else).
    content_security_policy:
      manifestVersion === 3
        ? { extension_pages: "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'" }
        : "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'",
    // The sealed room page is framed by sites; its own scripts load from the extension origin. It is
    // the only page a web page can load (the extension's own room tab is room.html, not listed).
    // Chromium: only through the per-session dynamic URL the bridge hands to approved sites, so
    // other pages can neither frame it nor tell that RoomKey is installed (Firefox's MV2 list
    // form has no such option; its moz-extension UUID is random per profile anyway).
    web_accessible_resources:
      manifestVersion === 3
        ? [
            {
              resources: ['sealed-room.html'],
              matches: WEB,
              ...(browser === 'firefox' ? {} : { use_dynamic_url: true }),
            },
          ]
        : ['sealed-room.html'],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: {
              id: 'roomkey@roomkey.dev',
              strict_min_version: '140.0',
              // Nothing leaves the browser but ciphertext to the user's own RoomKey server.
              data_collection_permissions: { required: ['none'] },
            } as { id: string; strict_min_version: string },
            // Firefox for Android reads data_collection_permissions from 142 on.
            gecko_android: { strict_min_version: '142.0' },
          },
        }
      : {}),
  }),
  vite: (env) => ({
    define: { __ROOMKEY_E2E__: JSON.stringify(env.mode === 'e2e') },
    // The same stand-ins as the page bundles (tweetnacl and Long.js stay out), exact names only.
    resolve: {
      alias: Object.entries(BROWSER_ALIASES).map(([name, path]) => ({
        find: new RegExp(`^${name.replace(/[/.]/g, '\\$&')}$`),
        replacement: path,
      })),
    },
  }),
});
