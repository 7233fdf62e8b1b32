// Issue 11 point 7, backdating, end to end (real nats-server + gateway, Alice on the SDK).
// A device's validity at a message is judged by when JetStream stored it, never by the `sentAtMs`
// its sender wrote; catching up after a gap resumes by stream sequence, never by the sender clock.
//
// How the revoked device's envelopes get stored: NATS cuts the revoked device off and refuses its
// JWT (auth-revoke.test.ts), so it cannot publish itself. But NATS does not look inside envelopes:
// any connection allowed to publish on the room's `.msg` subject stores whatever bytes it sends.
// Here that is Bob's other, still valid device (any member, or anyone holding the stolen key and
// a member's connection, could do the same; so could the server side, which the threat model
// counts as an adversary). The envelope itself is made with the revoked device's real key.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { toHex } from '../../core/bytes.ts';
import { revokeDevice } from '../../core/client/device-jwt.ts';
import { directoryLookup, roomCommits } from '../../core/client/gateway-api.ts';
import { GatewayDirectory } from '../../core/client/gateway-directory.ts';
import type { RoomKeySession } from '../../core/client/session.ts';
import { BadSignatureError } from '../../core/errors.ts';
import { Room } from '../../core/room/index.ts';
import { connectAsDevice } from '../../core/transport/connect.ts';
import { roomSubject } from '../../core/transport/subjects.ts';
import { textOf } from '../helpers/messages.ts';
import { nextEvent, nextMessage } from '../helpers/session-events.ts';
import {
  type LoggedInDevice,
  startStack,
  type TestDevice,
  type TestStack,
  type TestUser,
} from '../helpers/stack.ts';

const HOUR = 3_600_000;

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

/** Bob's view of the room on one of his devices: what that device's key can sign. */
async function roomOnDevice(
  user: TestUser,
  device: TestDevice,
  nc: NatsConnection,
  roomId: string,
): Promise<Room> {
  const directory = new GatewayDirectory(() => nc);
  const { chain } = await roomCommits(nc, { roomId, fromEpoch: 0 });
  const me = { userId: user.userId, userKeys: user.keys, device };
  const room = await Room.fromGenesis(chain[0]!, me, directory);
  for (const signed of chain.slice(1)) await room.applyCommit(signed);
  return room;
}

/** Stores an envelope through `nc` (a connection allowed to publish on the room). */
async function store(
  nc: NatsConnection,
  roomId: string,
  sealed: { envelope: Uint8Array; messageId: Uint8Array },
) {
  await jetstream(nc).publish(roomSubject(roomId, 'msg'), sealed.envelope, {
    msgID: toHex(sealed.messageId),
  });
}

function refusals(errors: Error[], what: RegExp): Error[] {
  return errors.filter((e) => e instanceof BadSignatureError && what.test(e.message));
}

async function waitFor(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  for (const started = Date.now(); !check(); await sleep(50)) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
  }
}

test('a revoked device cannot backdate into the room, live or on catch-up; a backdated valid message is not skipped', async () => {
  const errors: Error[] = [];
  const alice: RoomKeySession = await stack.signUpSession({
    username: 'alice-bd',
    onError: (e) => errors.push(e),
  });
  const carol = await stack.signUpSession({ username: 'carol-bd' });
  const { user: bob, device: bobPhone } = await stack.registerUser('bob-bd');
  const { roomId } = await alice.createRoom('Backdating');
  await alice.invite(roomId, 'bob-bd');
  // Carol's room is only there to cut Alice off later (a removal cuts the device's JWT).
  const other = await carol.createRoom('Other');
  const inOther = nextEvent(alice, 'rooms', (rooms) => rooms.some((r) => r.roomId === other.roomId), 10_000);
  await carol.invite(other.roomId, 'alice-bd');
  await inOther;

  // Bob's devices log in after the invite, so their JWTs cover the room.
  const bobLaptop = await stack.newDevice(bob);
  const phone: LoggedInDevice = await stack.logInDevice(bob, bobPhone);
  const laptop: LoggedInDevice = await stack.logInDevice(bob, bobLaptop);
  const onPhone = await roomOnDevice(bob, bobPhone, phone.nc, roomId);
  const onLaptop = await roomOnDevice(bob, bobLaptop, laptop.nc, roomId);

  // The phone revokes the laptop. The revoking device's clock runs 4 minutes slow (within the
  // accepted window); the gateway records its own clock as the revocation time all the same.
  const beforeRevoke = Date.now();
  await revokeDevice(
    phone.nc,
    { deviceKey: bobLaptop.publicKey, userSigningSecretKey: bob.signingSecretKey },
    { now: beforeRevoke - 4 * 60_000 },
  );
  const listed = await directoryLookup(phone.nc, 'device', { deviceKey: bobLaptop.publicKey });
  const revokedAtMs = Number(listed.devices[0]?.revokedAtMs ?? 0);
  assert.ok(revokedAtMs >= beforeRevoke, `revoked at the gateway's time (${revokedAtMs - beforeRevoke} ms)`);
  // The laptop's own JWT no longer opens a connection: its envelopes need another way in.
  await assert.rejects(
    connectAsDevice({
      servers: stack.nats.wsUrl,
      jwt: () => laptop.credential.userJwt,
      deviceSecretKey: bobLaptop.secretKey,
      options: { maxReconnectAttempts: 0, reconnect: false, timeout: 3000 },
    }),
    /authorization|authentication/i,
  );

  // Live: an envelope signed by the revoked laptop, dated an hour before its revocation.
  const shown: string[] = [];
  alice.on('message', (m) => shown.push(textOf(m)));
  const liveForgery = await onLaptop.encrypt('backdated, live', { nowMs: revokedAtMs - HOUR });
  await store(phone.nc, roomId, liveForgery);
  const liveMarker = nextMessage(alice, (m) => m.text === 'after the live forgery');
  await store(phone.nc, roomId, await onPhone.encrypt('after the live forgery', { nowMs: Date.now() }));
  await liveMarker; // delivered in stream order: the forgery was judged before it
  assert.ok(!shown.includes('backdated, live'), 'live delivery refuses the revoked device');
  assert.equal(refusals(errors, /revoked/).length, 1, `refused with a typed error: ${errors.join(' | ')}`);

  // Catch-up: Carol removes Alice from her room, which cuts Alice's connection off for a moment;
  // meanwhile another forgery and a valid but backdated message are stored.
  await carol.removeMember(other.roomId, alice.userId);
  assert.notEqual(alice.connection, 'online', 'Alice is cut off right now');
  await store(
    phone.nc,
    roomId,
    await onLaptop.encrypt('backdated, while away', { nowMs: revokedAtMs - HOUR }),
  );
  const backdated = await onPhone.encrypt('valid device, clock two hours slow', {
    nowMs: Date.now() - 2 * HOUR,
  });
  const storedAfter = Date.now();
  const caughtUp = nextMessage(alice, (m) => m.text === 'valid device, clock two hours slow', 15_000);
  await store(phone.nc, roomId, backdated);
  const valid = await caughtUp;
  assert.equal(alice.connection, 'online');
  assert.equal(valid.messageId, toHex(backdated.messageId));
  assert.ok(valid.seq !== undefined && valid.seq > 0, 'delivered with its stream sequence');
  assert.ok(
    Math.abs(valid.sentAtMs - storedAfter) < 60_000,
    'a sent-at two hours off is shown as the stored time',
  );
  await waitFor('the catch-up refusal', () => refusals(errors, /revoked/).length === 2);
  assert.ok(!shown.includes('backdated, while away'), 'catch-up refuses the revoked device');

  // And history, read again from the stream, shows the valid ones only.
  const history = await alice.history(roomId, { limit: 10 });
  assert.deepEqual(history.map(textOf), ['after the live forgery', 'valid device, clock two hours slow']);
});
