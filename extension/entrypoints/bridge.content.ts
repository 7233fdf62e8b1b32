// The bridge between a page's RoomKey components and the background, in every http(s) frame.
// document_start: the marker is on <html> before any page script runs, so the one-script-tag
// bundle knows at once whether to use the extension.
import { browser } from 'wxt/browser';
import { defineContentScript } from 'wxt/utils/define-content-script';
import type { BridgePort } from '../../core/bridge/index.ts';
import { startContentBridge } from '../lib/content-bridge.ts';
import { BRIDGE_PORT } from '../lib/messages.ts';

export default defineContentScript({
  matches: ['http://*/*', 'https://*/*'],
  runAt: 'document_start',
  allFrames: true,
  main() {
    startContentBridge({
      window,
      connect: () => browser.runtime.connect({ name: BRIDGE_PORT }) as unknown as BridgePort,
    });
  },
});
