// Pairing a new device by its QR text against a real stack (nats-server 2.9 + gateway): the old
// device says hello, both sides compute the same code, nothing leaves before the user confirms;
// the new device registers, gets its JWT and reads the rooms' history and sends. A channel works
// once; a cancel (either side), an expired offer or a tampered transfer changes nothing.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/nats-core';
import { toHex } from '../../core/bytes.ts';
import { LocalState } from '../../core/client/local-state.ts';
import { offerPairing } from '../../core/client/pairing-new-device.ts';
import { approvePairing } from '../../core/client/pairing-old-device.ts';
import { RoomKeySession } from '../../core/client/session.ts';
import { decode, encode } from '../../core/codec.ts';
import {
  createDeviceKey,
  encodePairingOffer,
  hpkeGenerateKeyPair,
  LABEL_PAIRING_OPEN,
  labeledMessage,
  randomBytes,
  sign,
} from '../../core/crypto/index.ts';
import { ConflictError, ExpiredError, ReplayError, TamperedError } from '../../core/errors.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { newReplyKey } from '../../core/transport/reply-seal.ts';
import { PAIRING_SUBJECTS } from '../../core/transport/subjects.ts';
import { v1 } from '../../proto/index.ts';
import { textOf } from '../helpers/messages.ts';
import { refusal } from '../helpers/refusal.ts';
import { startStack, TEST_STORE_PARAMS, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

const PASSWORD = 'pw pairing 1';
const newDeviceOptions = (backend = new MemoryBackend()) => ({
  config: stack.clientConfig(),
  backend,
  storeParams: TEST_STORE_PARAMS,
  password: PASSWORD,
});

async function oldDevice(username: string) {
  const backend = new MemoryBackend();
  const session = await stack.signUpSession({ username, password: PASSWORD, backend });
  const identity = (await (await LocalState.open(backend, PASSWORD)).identity())!;
  return { session, identity };
}

async function activeDevices(session: RoomKeySession): Promise<number> {
  return (await session.devices()).filter((d) => d.revokedAtMs === 0).length;
}

test('pairing: same code on both screens, then the new device reads the history and sends', async () => {
  const { session: a } = await oldDevice('pair-ann');
  const room = await a.createRoom('Ann’s room');
  await a.send(room.roomId, 'before pairing');

  const backend = new MemoryBackend();
  const offering = await offerPairing(newDeviceOptions(backend));
  assert.match(offering.qrText, /^roomkey-pair:v1:[A-Za-z0-9_-]+$/);
  assert.ok(offering.expiresAtMs - Date.now() <= 120_000, 'expires within 2 minutes');

  const approval = await a.approvePairing(offering.qrText);
  const seen = await offering.hello;
  assert.match(approval.code, /^\d{6}$/);
  assert.equal(seen.code, approval.code, 'both screens show the same code');
  assert.equal(seen.username, 'pair-ann');
  // Nothing was sent before the user confirmed: the new device has no store, no device yet.
  await sleep(600);
  assert.equal(await LocalState.exists(backend), false);
  assert.equal(await activeDevices(a), 1);

  await approval.confirm({ deviceName: 'tablet' });
  const opened = await offering.done;
  const b = await RoomKeySession.startPaired(newDeviceOptions(backend), opened);
  try {
    assert.equal(b.userId, a.userId);
    assert.notDeepEqual(b.deviceKey, a.deviceKey, 'a device key of its own');
    assert.deepEqual(
      (await b.listRooms()).map((r) => r.name),
      ['Ann’s room'],
    );
    assert.deepEqual((await b.history(room.roomId)).map(textOf), ['before pairing']);
    await b.send(room.roomId, 'from the new device');
    for (let i = 0; i < 50; i++) {
      if ((await a.history(room.roomId)).length === 2) break;
      await sleep(100);
    }
    assert.deepEqual((await a.history(room.roomId)).map(textOf), ['before pairing', 'from the new device']);
    const devices = await a.devices();
    assert.equal(devices.filter((d) => d.revokedAtMs === 0).length, 2);
    // Certificates (which the gateway stores) carry only the generic name; the new device names
    // itself, sealed to the user's key, and the old device reads that name.
    assert.ok(devices.every((d) => d.name === 'device'));
    const named = await (async () => {
      for (let i = 0; i < 50; i++) {
        const name = (await a.deviceDetails()).get(toHex(b.deviceKey))?.name;
        if (name) return name;
        await sleep(100);
      }
    })();
    assert.equal(named, 'Node.js', 'named by its user agent (Node.js here)');
    const lastSeen = await a.devicesLastSeen();
    assert.equal(lastSeen.size, 2, 'a last-seen time (or 0) for each device');

    // The channel worked once: the same code read again is refused.
    await assert.rejects(a.approvePairing(offering.qrText), ReplayError);
  } finally {
    await b.close();
  }
});

test('pairing: a cancel on the old device (codes differ) transfers nothing', async () => {
  const { session: a } = await oldDevice('pair-bea');
  const backend = new MemoryBackend();
  const offering = await offerPairing(newDeviceOptions(backend));
  const approval = await a.approvePairing(offering.qrText);
  await offering.hello;
  await approval.cancel();
  await assert.rejects(offering.done, ConflictError);
  await assert.rejects(approval.confirm(), /already confirmed or cancelled/);
  assert.equal(await LocalState.exists(backend), false);
  assert.equal(await activeDevices(a), 1);
});

test('pairing: a cancel on the new device closes the channel before any hello', async () => {
  const { session: a } = await oldDevice('pair-cai');
  const offering = await offerPairing(newDeviceOptions());
  await offering.cancel();
  await assert.rejects(offering.hello, ConflictError);
  await assert.rejects(a.approvePairing(offering.qrText), ReplayError);
  assert.equal(await activeDevices(a), 1);
});

test('pairing: an expired offer is refused by the old device and by the gateway', async () => {
  const { session: a } = await oldDevice('pair-dan');
  const device = createDeviceKey();
  const offer = encodePairingOffer({
    channelId: randomBytes(16),
    ephemeralKey: (await hpkeGenerateKeyPair()).publicKey,
    deviceKey: device.publicKey,
    expiresAtMs: Date.now() - 1,
  });
  await assert.rejects(a.approvePairing(offer.qrText), ExpiredError);
  const login = await stack.loginConnection();
  const replyKey = newReplyKey();
  const body = encode(v1.PairingOpenRequest, {
    offer: offer.bytes,
    proof: await sign(labeledMessage(LABEL_PAIRING_OPEN, offer.bytes, replyKey), device.secretKey),
    replyKey,
  });
  assert.equal((await refusal(login, PAIRING_SUBJECTS.open, body, replyKey)).code, 'expired');
  // A channel opened once cannot be opened again (a replayed open).
  const fresh = encodePairingOffer({ ...decodeOffer(offer.bytes), expiresAtMs: Date.now() + 60_000 });
  const open = async () => {
    const key = newReplyKey();
    return encode(v1.PairingOpenRequest, {
      offer: fresh.bytes,
      proof: await sign(labeledMessage(LABEL_PAIRING_OPEN, fresh.bytes, key), device.secretKey),
      replyKey: key,
    });
  };
  const first = await open();
  const firstKey = decode(v1.PairingOpenRequest, first, 'req').replyKey;
  await import('../../core/transport/request.ts').then((m) =>
    m.gatewayRequest(login, PAIRING_SUBJECTS.open, first, { replyKey: firstKey, timeoutMs: 3000 }),
  );
  const again = await open();
  assert.equal(
    (await refusal(login, PAIRING_SUBJECTS.open, again, decode(v1.PairingOpenRequest, again, 'req').replyKey))
      .code,
    'replay',
  );
});

test('pairing: a tampered transfer is refused and nothing is stored or registered', async () => {
  const { session: a, identity } = await oldDevice('pair-eve');
  const backend = new MemoryBackend();
  const offering = await offerPairing(newDeviceOptions(backend));
  // The old device's connection, with one byte of the sealed transfer flipped on its way out.
  const tampering = new Proxy(a.nc, {
    get(target, prop, receiver) {
      if (prop === 'request') {
        return (subject: string, data: Uint8Array, opts: unknown) => {
          let out = data;
          if (subject === PAIRING_SUBJECTS.send) {
            const req = decode(v1.PairingSendRequest, data, 'send');
            const ciphertext = req.transfer?.ciphertext as Uint8Array;
            ciphertext[5] = (ciphertext[5] ?? 0) ^ 1;
            out = encode(v1.PairingSendRequest, req);
          }
          return (target.request as (s: string, d: Uint8Array, o: unknown) => unknown)(subject, out, opts);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as NatsConnection;
  const approval = await approvePairing({ nc: tampering, identity, userId: a.userId }, offering.qrText);
  assert.equal((await offering.hello).code, approval.code);
  await approval.confirm();
  await assert.rejects(offering.done, TamperedError);
  assert.equal(await LocalState.exists(backend), false, 'nothing stored');
  assert.equal(await activeDevices(a), 1, 'no device registered');
});

function decodeOffer(bytes: Uint8Array) {
  const o = decode(v1.PairingOffer, bytes, 'offer');
  return {
    channelId: o.channelId,
    ephemeralKey: o.ephemeralKey,
    deviceKey: o.deviceKey,
    expiresAtMs: Number(o.expiresAtMs),
  };
}
