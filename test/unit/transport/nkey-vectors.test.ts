// The nkey vectors in Node (the browser layer runs the same suite in Chromium), and the same
// agreement with nkeys.js itself for random seeds of every Ed25519 role.
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createUser, fromSeed as nkeysFromSeed, Prefix } from '@nats-io/nkeys';
import { Codec } from '@nats-io/nkeys/lib/codec.js';
import { toHex, utf8 } from '../../../core/bytes.ts';
import { userNkey } from '../../../core/transport/index.ts';
import { encodeSeed } from '../../../core/transport/nkey-codec.ts';
import { encode, fromSeed } from '../../../core/transport/nkeys-noble.ts';
import { bytesEqual, equal } from '../../helpers/assert.ts';
import { nkeySuites } from '../../vectors/nkey-suite.ts';

for (const suite of nkeySuites) test(suite.name, suite.run);

test('nkey: 200 random seeds give nkeys.js its own seed text, public key and signature', () => {
  const roles = [Prefix.User, Prefix.Account, Prefix.Operator, Prefix.Server, Prefix.Cluster];
  for (let i = 0; i < 200; i++) {
    const role = roles[i % roles.length]!;
    const raw = new Uint8Array(randomBytes(32));
    const seedText = Codec.encodeSeed(role, raw);
    equal(encodeSeed(role, raw), new TextDecoder().decode(seedText), `seed text ${toHex(raw)}`);
    const theirs = nkeysFromSeed(seedText);
    const ours = fromSeed(seedText);
    equal(ours.getPublicKey(), theirs.getPublicKey(), `public key ${toHex(raw)}`);
    const nonce = utf8(`n${i}`);
    equal(encode(ours.sign(nonce)), encode(theirs.sign(nonce)), `signature ${toHex(raw)}`);
  }
  const user = createUser();
  const publicKey = Codec.decode(Prefix.User, utf8(user.getPublicKey()));
  equal(userNkey(publicKey), user.getPublicKey());
  bytesEqual(fromSeed(user.getSeed()).sign(utf8('x')), user.sign(utf8('x')));
});
