// parseDeploymentConfig's optional vapidPublicKey (issue 14): the key Web Push subscriptions are
// made with; absent while the deployment sends no Web Push, and never anything but a P-256 point.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { p256 } from '@noble/curves/nist.js';
import { toBase64Url } from '../../../core/bytes.ts';
import { parseDeploymentConfig } from '../../../core/client/config.ts';
import { MalformedError } from '../../../core/errors.ts';

const BASE = { version: 1, natsWebSocketUrl: 'wss://rooms.example/nats', loginJwt: 'jwt' };
const point = p256.getPublicKey(p256.utils.randomSecretKey(), false);

describe('deployment config vapidPublicKey', () => {
  it('is optional, and kept as given when it is an uncompressed P-256 key in base64url', () => {
    assert.equal('vapidPublicKey' in parseDeploymentConfig(BASE), false);
    assert.equal('vapidPublicKey' in parseDeploymentConfig({ ...BASE, vapidPublicKey: null }), false);
    const key = toBase64Url(point);
    assert.equal(parseDeploymentConfig({ ...BASE, vapidPublicKey: key }).vapidPublicKey, key);
  });

  it('refuses anything else, saying what is wrong', () => {
    const compressed = toBase64Url(p256.getPublicKey(p256.utils.randomSecretKey(), true));
    const padded = `${Buffer.from(point).toString('base64')}`;
    const notFour = new Uint8Array(point);
    notFour[0] = 0x05;
    for (const vapidPublicKey of ['', compressed, padded, toBase64Url(notFour), 'a'.repeat(87), 7, {}])
      assert.throws(
        () => parseDeploymentConfig({ ...BASE, vapidPublicKey }),
        (e: unknown) => e instanceof MalformedError && e.message.includes('vapidPublicKey'),
        JSON.stringify(vapidPublicKey),
      );
  });
});
