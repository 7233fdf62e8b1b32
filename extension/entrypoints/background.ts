// The background: keys, the one NATS connection (through the SDK), approvals, tab registry and
// notification routing. All of it lives in lib/; this entrypoint only starts it.
import { defineBackground } from 'wxt/utils/define-background';
import { startBackground } from '../lib/background-main.ts';

export default defineBackground({
  // Firefox (MV2): a persistent page keeps the unlocked store and the connection in memory.
  persistent: { firefox: true },
  main() {
    startBackground();
  },
});
