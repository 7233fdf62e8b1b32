// The client's directory never takes the gateway's word: identities must be self-signed and
// match what was asked, certificates signed by that identity, and a key once seen is pinned.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NatsConnection } from '@nats-io/nats-core';
import { GatewayDirectory } from '../../../core/client/gateway-directory.ts';
import { encode } from '../../../core/codec.ts';
import {
  createDeviceKey,
  createUserKeys,
  type SignedProps,
  signDeviceCertificate,
  signUserIdentity,
} from '../../../core/crypto/index.ts';
import { BadSignatureError } from '../../../core/errors.ts';
import { type roomkey, v1 } from '../../../proto/index.ts';

type Answer = roomkey.v1.DirectoryResponse.$Properties;

/** A fake connection whose "gateway" answers with `answer(subject)`. */
function fakeGateway(answer: (subject: string, data: Uint8Array) => Answer): NatsConnection {
  return {
    isClosed: () => false,
    request: async (subject: string, data: Uint8Array) => ({
      data: encode(v1.Reply, { ok: encode(v1.DirectoryResponse, answer(subject, data)) }),
    }),
  } as unknown as NatsConnection;
}

async function person(userId: string, username = userId) {
  const keys = await createUserKeys();
  const identity = await signUserIdentity(keys, { userId, username, createdAtMs: 1 });
  const device = createDeviceKey();
  const certificate = await signDeviceCertificate(keys, {
    userId,
    deviceKey: device.publicKey,
    deviceName: 'd',
    issuedAtMs: 1,
  });
  return { keys, identity, device, certificate };
}

describe('GatewayDirectory', () => {
  it('accepts a self-signed identity carrying the username asked for, and pins it', async () => {
    const bob = await person('bob-id-1', 'bob');
    const dir = new GatewayDirectory(() => fakeGateway(() => ({ identity: bob.identity })));
    assert.equal((await dir.lookup('Bob')).userId, 'bob-id-1');
    assert.equal(dir.pins.usernames['bob'], 'bob-id-1');
  });

  it('refuses another user’s identity for a username, and a new key for a pinned username', async () => {
    const bob = await person('bob-id-2', 'bob');
    const carol = await person('carol-id', 'carol');
    const impostor = await person('bob-id-3', 'bob');
    let answer: SignedProps = carol.identity;
    const dir = new GatewayDirectory(() => fakeGateway(() => ({ identity: answer })));
    await assert.rejects(dir.lookup('bob'), BadSignatureError);
    answer = bob.identity;
    await dir.lookup('bob');
    answer = impostor.identity;
    await assert.rejects(dir.lookup('bob'), BadSignatureError, 'a swapped key for a known username');
  });

  it('refuses a changed key for a pinned user id and a certificate not signed by the user', async () => {
    const bob = await person('bob-id-4', 'bob');
    const forged = await person('bob-id-4', 'bob'); // same id, other keys
    const mallory = await person('mallory-id', 'mallory');
    const pins = { users: {}, usernames: {} };
    const first = new GatewayDirectory(() => fakeGateway(() => ({ identity: bob.identity })), { pins });
    await first.identity('bob-id-4');
    const second = new GatewayDirectory(() => fakeGateway(() => ({ identity: forged.identity })), { pins });
    await assert.rejects(second.identity('bob-id-4'), BadSignatureError);

    // A certificate for Bob's id signed by Mallory's key.
    const fakeCert = await signDeviceCertificate(mallory.keys, {
      userId: 'bob-id-4',
      deviceKey: mallory.device.publicKey,
      deviceName: 'x',
      issuedAtMs: 1,
    });
    const third = new GatewayDirectory(() =>
      fakeGateway(() => ({
        identity: bob.identity,
        devices: [{ userId: 'bob-id-4', deviceCertificate: fakeCert }],
      })),
    );
    await assert.rejects(third.device(mallory.device.publicKey), BadSignatureError);
  });

  it('a device revoked later still vouches for what it signed before', async () => {
    const bob = await person('bob-id-5', 'bob');
    const dir = new GatewayDirectory(() =>
      fakeGateway(() => ({
        identity: bob.identity,
        devices: [{ userId: 'bob-id-5', deviceCertificate: bob.certificate, revokedAtMs: 1000 }],
      })),
    );
    assert.ok(await dir.device(bob.device.publicKey, 999));
    assert.equal(await dir.device(bob.device.publicKey, 1000), undefined);
    assert.equal(await dir.device(bob.device.publicKey), undefined);
  });
});
