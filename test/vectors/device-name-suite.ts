// The device-name vectors (device-name.json), recomputed unchanged in Node
// (test/unit/crypto/device-name-vectors.test.ts) and Chromium (test/browser/device-name-vectors.test.ts).
// The info and aad layout is spelled out here independently of device-name.ts, and the seal is
// also made with the bare HPKE API, so the file checks the layout and not only itself.
import { concatBytes, fromHex, utf8 } from '../../core/bytes.ts';
import {
  createUserKeys,
  deviceNameAad,
  HPKE_INFO_DEVICE_NAME,
  hpkeSeal,
  openDeviceName,
  sealDeviceName,
} from '../../core/crypto/index.ts';
import { v1 } from '../../proto/index.ts';
import { bytesEqual, equal } from '../helpers/assert.ts';
import vectors from './device-name.json' with { type: 'json' };

const h = fromHex;

async function userKeys() {
  const u = vectors.user;
  const keys = await createUserKeys({ signingSeed: h(u.signingSeed), hpkeSeed: h(u.hpkeSeed) });
  bytesEqual(keys.hpkePublicKey, u.hpkeKey, 'user HPKE key');
  return keys;
}

/** Each check as { name, run }, for node:test and mocha alike. */
export const deviceNameSuites = [
  {
    name: 'device-name: info and aad layout',
    async run() {
      bytesEqual(utf8(HPKE_INFO_DEVICE_NAME), vectors.info, 'info');
      for (const v of vectors.vectors) {
        const deviceKey = h(v.deviceKey);
        bytesEqual(concatBytes(deviceKey, utf8(vectors.user.userId)), v.aad, `${v.name}: aad spelled out`);
        bytesEqual(deviceNameAad({ userId: vectors.user.userId, deviceKey }), v.aad, `${v.name}: aad`);
      }
    },
  },
  {
    name: 'device-name: seal (fixed ikmE) and open',
    async run() {
      const keys = await userKeys();
      for (const v of vectors.vectors) {
        const deviceKey = h(v.deviceKey);
        const context = { userId: vectors.user.userId, deviceKey };
        const sealed = await sealDeviceName({
          ...context,
          userHpkePublicKey: keys.hpkePublicKey,
          name: v.deviceName,
          ikmE: h(v.ikmE),
        });
        bytesEqual(sealed, v.sealed, `${v.name}: sealed`);
        const bare = await hpkeSeal(
          keys.hpkePublicKey,
          utf8(v.deviceName),
          h(vectors.info),
          h(v.aad),
          h(v.ikmE),
        );
        bytesEqual(v1.SealedDeviceName.encode(bare).finish(), v.sealed, `${v.name}: bare HPKE`);
        equal(
          await openDeviceName(h(v.sealed), { ...context, userHpkePrivateKey: keys.hpkePrivateKey }),
          v.deviceName,
          `${v.name}: open`,
        );
      }
    },
  },
];
