// Hostile input on every pairing subject (gateway/handlers/pairing-*.ts): garbage, empty, the wrong
// message type, oversized, broken fields (channel ids of the wrong size, a proof by another key, a
// hello naming another user, a send by a device that did not say hello) — each a typed error, and
// nothing enters rk_pairing except the one channel opened properly.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { u64be } from '../../core/bytes.ts';
import { directoryLookup } from '../../core/client/gateway-api.ts';
import { offerPairing } from '../../core/client/pairing-new-device.ts';
import { encode } from '../../core/codec.ts';
import {
  createDeviceKey,
  LABEL_PAIRING_POLL,
  labeledMessage,
  parsePairingOfferText,
  randomBytes,
  sign,
} from '../../core/crypto/index.ts';
import {
  BadSignatureError,
  ForbiddenError,
  MalformedError,
  RoomKeyError,
  TooLargeError,
} from '../../core/errors.ts';
import { MemoryBackend } from '../../core/store/memory-backend.ts';
import { newReplyKey } from '../../core/transport/reply-seal.ts';
import { gatewayRequest } from '../../core/transport/request.ts';
import { PAIRING_SUBJECTS } from '../../core/transport/subjects.ts';
import { PAIRING_BUCKET } from '../../gateway/handlers/pairing-channel.ts';
import { v1 } from '../../proto/index.ts';
import { refusal } from '../helpers/refusal.ts';
import { startStack, TEST_STORE_PARAMS, type TestStack } from '../helpers/stack.ts';

let stack: TestStack;
before(async () => {
  stack = await startStack();
  await stack.startGateway();
});
after(() => stack?.stop());

async function channels(): Promise<number> {
  const jsm = await jetstreamManager(await stack.adminConnection());
  return (await jsm.streams.info(`KV_${PAIRING_BUCKET}`)).state.messages;
}

const anonSubjects = [
  PAIRING_SUBJECTS.open,
  PAIRING_SUBJECTS.poll,
  PAIRING_SUBJECTS.cancelNew,
  PAIRING_SUBJECTS.finish,
];
const deviceSubjects = [PAIRING_SUBJECTS.hello, PAIRING_SUBJECTS.send, PAIRING_SUBJECTS.cancel];

test('garbage, empty, wrong-type and oversized requests on every pairing subject are typed refusals', async () => {
  const before = await channels();
  const anon = await stack.loginConnection();
  const device = await stack.signUpSession();
  const wrongType = encode(v1.Envelope, {
    header: randomBytes(40),
    ciphertext: randomBytes(40),
    signature: randomBytes(64),
  });
  // The login credential may publish at most 64 KiB (gateway/accounts.ts); every endpoint allows less.
  for (const [nc, subjects, oversized] of [
    [anon, anonSubjects, 20 * 1024],
    [device.nc, deviceSubjects, 600 * 1024],
  ] as const) {
    for (const subject of subjects) {
      for (const [what, body] of [
        ['garbage', randomBytes(97)],
        ['empty', new Uint8Array(0)],
        ['wrong type', wrongType],
      ] as const) {
        const error = await refusal(nc, subject, body);
        assert.ok(
          error instanceof RoomKeyError && error.code !== 'internal',
          `${subject} ${what}: ${error.code}`,
        );
      }
      assert.ok(
        (await refusal(nc, subject, randomBytes(oversized))) instanceof TooLargeError,
        `${subject} oversized`,
      );
    }
  }
  // Wrong-size channel ids are malformed, on either side.
  const shortId = encode(v1.PairingHelloRequest, { channelId: randomBytes(5), hello: randomBytes(10) });
  assert.ok((await refusal(device.nc, PAIRING_SUBJECTS.hello, shortId)) instanceof MalformedError);
  // The login credential cannot reach the device side (NATS or the gateway refuses).
  await assert.rejects(
    gatewayRequest(anon, PAIRING_SUBJECTS.hello, shortId, { timeoutMs: 2000 }),
    (e: Error) => e instanceof RoomKeyError,
  );
  assert.equal(await channels(), before, 'nothing stored');
});

test('a hello naming another user, and a send or cancel by another device, are forbidden', async () => {
  const mallory = await stack.signUpSession();
  const alice = await stack.signUpSession();
  const offering = await offerPairing({
    config: stack.clientConfig(),
    backend: new MemoryBackend(),
    storeParams: TEST_STORE_PARAMS,
    password: 'pw',
  });
  void offering.hello.catch(() => undefined);
  void offering.done.catch(() => undefined);
  const offer = parsePairingOfferText(offering.qrText);
  // Mallory's device sends a hello carrying alice's identity: refused (the hello must be the caller's user).
  const aliceIdentity = (await directoryLookup(alice.nc, 'identity', { userId: alice.userId })).identity;
  const hello = encode(v1.PairingHello, {
    channelId: offer.channelId,
    nonce: randomBytes(32),
    identity: aliceIdentity,
  });
  assert.ok(
    (await refusal(
      mallory.nc,
      PAIRING_SUBJECTS.hello,
      encode(v1.PairingHelloRequest, { channelId: offer.channelId, hello }),
    )) instanceof ForbiddenError,
  );
  // Alice says hello properly; Mallory may neither send nor cancel on that channel.
  const approval = await alice.approvePairing(offering.qrText);
  const send = encode(v1.PairingSendRequest, {
    channelId: offer.channelId,
    transfer: { enc: randomBytes(32), ciphertext: randomBytes(64) },
  });
  assert.ok((await refusal(mallory.nc, PAIRING_SUBJECTS.send, send)) instanceof ForbiddenError);
  assert.ok(
    (await refusal(
      mallory.nc,
      PAIRING_SUBJECTS.cancel,
      encode(v1.PairingCancelRequest, { channelId: offer.channelId }),
    )) instanceof ForbiddenError,
  );
  // A poll proved by another device key than the offer's is refused.
  const other = createDeviceKey();
  const replyKey = newReplyKey();
  const at = Date.now();
  const poll = encode(v1.PairingPollRequest, {
    channelId: offer.channelId,
    requestedAtMs: at,
    proof: await sign(
      labeledMessage(LABEL_PAIRING_POLL, offer.channelId, u64be(at), replyKey),
      other.secretKey,
    ),
    replyKey,
  });
  const anon = await stack.loginConnection();
  assert.ok((await refusal(anon, PAIRING_SUBJECTS.poll, poll, replyKey)) instanceof BadSignatureError);
  await approval.cancel();
});
