// WXT builds the browser extension (Chrome MV3 and Firefox) from extension/.
// Entrypoints under extension/entrypoints/ are the map: background.ts, *.content.ts, popup/, options/.
import { defineConfig } from 'wxt';

export default defineConfig({
  srcDir: 'extension',
  outDir: '.output',
  manifest: {
    name: 'RoomKey',
    description: 'Keeps your RoomKey keys and one encrypted connection for every tab.',
    permissions: ['storage', 'notifications', 'alarms'],
    browser_specific_settings: { gecko: { id: 'roomkey@roomkey.dev', strict_min_version: '128.0' } },
  },
});
