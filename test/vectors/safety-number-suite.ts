// The safety-number vectors (safety-number.json), recomputed unchanged in Node
// (test/unit/crypto/safety-number-vectors.test.ts) and Chromium (test/browser/safety-number-vectors.test.ts).
// Also checked independently of this code with Python's hashlib when they were made.
import { fromHex } from '../../core/bytes.ts';
import { createUserKeys, safetyHalf, safetyNumber } from '../../core/crypto/index.ts';
import { bytesEqual, equal } from '../helpers/assert.ts';
import vectors from './safety-number.json' with { type: 'json' };

type UserName = keyof typeof vectors.users;

async function keysOf(name: UserName) {
  const u = vectors.users[name];
  const keys = await createUserKeys({ signingSeed: fromHex(u.signingSeed), hpkeSeed: fromHex(u.hpkeSeed) });
  bytesEqual(keys.signingPublicKey, u.signingKey, `${name} signing key`);
  bytesEqual(keys.hpkePublicKey, u.hpkeKey, `${name} HPKE key`);
  return { userId: u.userId, signingKey: keys.signingPublicKey, hpkeKey: keys.hpkePublicKey };
}

/** Each check as { name, run }, for node:test and mocha alike. */
export const safetyNumberSuites = [
  {
    name: 'safety-number: each user half',
    async run() {
      for (const name of Object.keys(vectors.users) as UserName[]) {
        equal(safetyHalf(await keysOf(name)), vectors.users[name].half, `${name} half`);
      }
    },
  },
  {
    name: 'safety-number: pairs (the same both ways; another key, another number)',
    async run() {
      for (const pair of vectors.pairs) {
        const n = safetyNumber(await keysOf(pair.a as UserName), await keysOf(pair.b as UserName));
        equal(n.digits, pair.digits, `${pair.name} digits`);
        equal(n.qrText, pair.qrText, `${pair.name} QR text`);
      }
    },
  },
];
