// The VAPID public key reaches clients through the served deployment config (roomkey-config.json
// of `dev`), and it is the same after a restart: it derives from the server secret
// (gateway/vapid-keys.ts), so subscriptions made with it keep working.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fromBase64Url, fromHex } from '../../core/bytes.ts';
import { runDev } from '../../gateway/dev.ts';
import { initStack } from '../../gateway/init.ts';
import { vapidKeys } from '../../gateway/vapid-keys.ts';

const dir = mkdtempSync(join(tmpdir(), 'rk-push-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function servedVapidKey(): Promise<string> {
  const dev = await runDev({ dir, httpPort: 0, natsPort: -1, wsPort: -1, log: () => undefined });
  try {
    const config = (await (await fetch(dev.urls.config)).json()) as { vapidPublicKey?: string };
    return config.vapidPublicKey ?? '';
  } finally {
    await dev.stop();
  }
}

test('dev serves the VAPID public key in roomkey-config.json, the same one after a restart', async () => {
  const stack = await initStack({ dir });
  const first = await servedVapidKey();
  const key = fromBase64Url(first);
  assert.equal(key.length, 65, 'an uncompressed P-256 point');
  assert.equal(key[0], 4);
  assert.equal(first, vapidKeys(fromHex(stack.secrets.serverSecret)).publicKey);
  assert.equal(await servedVapidKey(), first, 'stable across restarts');
});
