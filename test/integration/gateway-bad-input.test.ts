// Hostile input on every gateway subject: garbage bytes, the wrong message type, oversized
// requests, broken fields, bad signatures, tampered/expired/replayed login handles. Each gets a
// typed error reply; the gateway keeps serving; nothing is stored.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { randomBytes } from '@noble/hashes/utils.js';
import * as opaque from '@serenity-kit/opaque';
import { fromBase64Url, toBase64Url } from '../../core/bytes.ts';
import { logIn } from '../../core/client/auth.ts';
import { decode, encode } from '../../core/codec.ts';
import { LABEL_DEVICE_CERTIFICATE, LABEL_USER_IDENTITY, signBody } from '../../core/crypto/index.ts';
import {
  BadCredentialsError,
  BadSignatureError,
  ExpiredError,
  ForbiddenError,
  MalformedError,
  ReplayError,
  type RoomKeyError,
  TooLargeError,
} from '../../core/errors.ts';
import { newReplyKey } from '../../core/transport/reply-seal.ts';
import { gatewayRequest } from '../../core/transport/request.ts';
import { DEVICE_SUBJECTS, LOGIN_SUBJECTS } from '../../core/transport/subjects.ts';
import { BUCKETS } from '../../gateway/buckets.ts';
import { type roomkey, v1 } from '../../proto/index.ts';
import { startLogin } from '../helpers/login.ts';
import { refusal } from '../helpers/refusal.ts';
import { startStack, type TestStack, type TestUser } from '../helpers/stack.ts';
import {
  publicKeyWithTorsion,
  signedByMixedKey,
  TORSION_2,
  TORSION_8,
  withSignBitSet,
} from '../vectors/ed25519-forge.ts';

const HANDLE_LIFETIME_MS = 1500;
let stack: TestStack;
let admin: NatsConnection;
before(async () => {
  stack = await startStack({ loginHandleLifetimeMs: HANDLE_LIFETIME_MS });
  await stack.startGateway();
  admin = await stack.adminConnection();
  await opaque.ready;
});
after(() => stack?.stop());

/** Messages in every gateway bucket: "nothing stored" means these do not change. */
async function bucketCounts(): Promise<Record<string, number>> {
  const jsm = await jetstreamManager(admin);
  const out: Record<string, number> = {};
  for (const name of Object.values(BUCKETS))
    out[name] = (await jsm.streams.info(`KV_${name}`)).state.messages;
  return out;
}

const loginSubjects = Object.values(LOGIN_SUBJECTS);
const garbage = () => randomBytes(97);

test('garbage, empty, wrong-type and oversized requests on the login subjects', async () => {
  const before = await bucketCounts();
  const anon = await stack.loginConnection();
  const otherType = encode(v1.Envelope, {
    header: randomBytes(40),
    ciphertext: randomBytes(40),
    signature: randomBytes(64),
  });
  for (const subject of loginSubjects) {
    assert.ok((await refusal(anon, subject, garbage())) instanceof MalformedError, `${subject} garbage`);
    assert.ok(
      (await refusal(anon, subject, new Uint8Array(0))) instanceof MalformedError,
      `${subject} empty`,
    );
    assert.ok((await refusal(anon, subject, otherType)) instanceof MalformedError, `${subject} wrong type`);
    assert.ok(
      (await refusal(anon, subject, randomBytes(20 * 1024))) instanceof TooLargeError,
      `${subject} oversized`,
    );
    // Well-formed protobuf but a reply key of the wrong size.
    const shortKey = encode(v1.LoginStartRequest, {
      username: 'alice',
      credentialRequest: randomBytes(96),
      replyKey: randomBytes(5),
    });
    assert.ok(
      (await refusal(anon, subject, shortKey)) instanceof MalformedError,
      `${subject} short reply key`,
    );
  }
  assert.deepEqual(await bucketCounts(), before, 'nothing stored');
});

test('broken fields are refused with a sealed, typed error', async () => {
  const before = await bucketCounts();
  const anon = await stack.loginConnection();
  const replyKey = newReplyKey();
  const cases: Array<[string, Uint8Array, new (...a: never[]) => RoomKeyError]> = [
    [
      LOGIN_SUBJECTS.registerStart,
      encode(v1.RegisterStartRequest, { username: 'ab', registrationRequest: randomBytes(32), replyKey }),
      MalformedError,
    ],
    [
      LOGIN_SUBJECTS.registerStart,
      encode(v1.RegisterStartRequest, {
        username: 'alice\u0000',
        registrationRequest: randomBytes(32),
        replyKey,
      }),
      MalformedError,
    ],
    [
      LOGIN_SUBJECTS.registerStart,
      encode(v1.RegisterStartRequest, { username: 'alice', registrationRequest: randomBytes(3), replyKey }),
      MalformedError,
    ],
    [
      LOGIN_SUBJECTS.registerStart,
      encode(v1.RegisterStartRequest, {
        username: 'alice',
        registrationRequest: new Uint8Array(32).fill(255),
        replyKey,
      }),
      MalformedError,
    ],
    [
      LOGIN_SUBJECTS.loginStart,
      encode(v1.LoginStartRequest, {
        username: 'x'.repeat(300),
        credentialRequest: randomBytes(96),
        replyKey,
      }),
      MalformedError,
    ],
    [
      LOGIN_SUBJECTS.loginStart,
      encode(v1.LoginStartRequest, {
        username: 'alice',
        credentialRequest: new Uint8Array(96).fill(255),
        replyKey,
      }),
      MalformedError,
    ],
    [
      LOGIN_SUBJECTS.loginFinish,
      encode(v1.LoginFinishRequest, {
        loginHandle: randomBytes(200),
        credentialFinalization: randomBytes(64),
        replyKey,
      }),
      MalformedError,
    ],
    [
      LOGIN_SUBJECTS.registerFinish,
      encode(v1.RegisterFinishRequest, {
        username: 'alice',
        registrationRecord: new Uint8Array(192).fill(0xff),
        replyKey,
      }),
      MalformedError,
    ],
  ];
  for (const [subject, body, type] of cases) {
    const error = await refusal(anon, subject, body, replyKey);
    assert.ok(
      error instanceof type,
      `${subject}: expected ${type.name}, got ${error.name}: ${error.message}`,
    );
  }
  assert.deepEqual(await bucketCounts(), before, 'nothing stored');
});

/** A real OPAQUE registration record for `user`, made the way a client would. */
async function registrationFor(anon: NatsConnection, user: TestUser): Promise<Uint8Array> {
  const start = opaque.client.startRegistration({ password: user.password });
  const replyKey = newReplyKey();
  const res = decode(
    v1.RegisterStartResponse,
    await gatewayRequest(
      anon,
      LOGIN_SUBJECTS.registerStart,
      encode(v1.RegisterStartRequest, {
        username: user.username,
        registrationRequest: fromBase64Url(start.registrationRequest),
        replyKey,
      }),
      { replyKey },
    ),
    'register start response',
  );
  const done = opaque.client.finishRegistration({
    clientRegistrationState: start.clientRegistrationState,
    registrationResponse: toBase64Url(res.registrationResponse),
    password: user.password,
  });
  return fromBase64Url(done.registrationRecord);
}

test('sign-up with forged or mismatched identity and certificate stores nothing', async () => {
  const anon = await stack.loginConnection();
  const user = await stack.newUser();
  const device = await stack.newDevice(user);
  const record = await registrationFor(anon, user);
  const before = await bucketCounts();
  const finish = (patch: Partial<roomkey.v1.RegisterFinishRequest.$Properties>) => {
    const replyKey = newReplyKey();
    const body = encode(v1.RegisterFinishRequest, {
      username: user.username,
      registrationRecord: record,
      identity: user.identity,
      deviceCertificate: device.certificate,
      replyKey,
      ...patch,
    });
    return refusal(anon, LOGIN_SUBJECTS.registerFinish, body, replyKey);
  };
  const flipped = {
    ...user.identity,
    signature: user.identity.signature!.map((b, i) => (i === 0 ? b ^ 1 : b)),
  };
  assert.ok(
    (await finish({ identity: flipped })) instanceof BadSignatureError,
    'tampered identity signature',
  );
  const stranger = await stack.newUser();
  assert.ok(
    (await finish({ deviceCertificate: (await stack.newDevice(stranger)).certificate })) instanceof
      BadSignatureError,
    'certificate by another user key',
  );
  assert.ok(
    (await finish({ identity: (await stack.newUser('someone-else')).identity })) instanceof MalformedError,
    'identity for another username',
  );
  // Signed by a key other than the one the identity names.
  const body = user.identity.body!;
  assert.ok(
    (await finish({ identity: await signBody('roomkey/v1/user-identity', body, randomBytes(32)) })) instanceof
      BadSignatureError,
    'not self-signed',
  );
  assert.ok(
    // Not random bytes: a random 32-byte prefix is a valid ristretto255 point about one time in
    // eight, and such a record is well-formed (just useless). 0xff… is never a canonical point.
    (await finish({ registrationRecord: new Uint8Array(192).fill(0xff) })) instanceof MalformedError,
    'garbage registration record',
  );
  assert.ok((await finish({ identity: null })) instanceof MalformedError, 'missing identity');
  assert.deepEqual(await bucketCounts(), before, 'nothing stored');
});

test('sign-up with a small-order, mixed-order or non-canonical key is refused as malformed and stores nothing', async () => {
  const anon = await stack.loginConnection();
  const user = await stack.newUser();
  const record = await registrationFor(anon, user);
  const before = await bucketCounts();
  const finish = async (patch: Partial<roomkey.v1.RegisterFinishRequest.$Properties>, what: string) => {
    const replyKey = newReplyKey();
    const body = encode(v1.RegisterFinishRequest, {
      username: user.username,
      registrationRecord: record,
      identity: user.identity,
      deviceCertificate: (await stack.newDevice(user)).certificate,
      replyKey,
      ...patch,
    });
    const error = await refusal(anon, LOGIN_SUBJECTS.registerFinish, body, replyKey);
    assert.ok(error instanceof MalformedError, `${what}: ${error.name}: ${error.message}`);
    assert.match(error.message, /not a usable Ed25519 public key/, what);
  };
  // Device keys certified by the user's real key: the certificate's signature is fine.
  const deviceKeys = {
    'small-order device key': TORSION_8.toBytes(),
    'mixed-order device key': publicKeyWithTorsion(randomBytes(32), TORSION_2),
    'non-canonical device key': withSignBitSet(TORSION_2.toBytes()),
  };
  for (const [what, deviceKey] of Object.entries(deviceKeys)) {
    const deviceCertificate = await signBody(
      LABEL_DEVICE_CERTIFICATE,
      encode(v1.DeviceCertificateBody, {
        userId: user.userId,
        deviceKey,
        deviceName: 'weak',
        issuedAtMs: Date.now(),
      }),
      user.keys.signingSecretKey,
    );
    await finish({ deviceCertificate }, what);
  }
  // A user key with an order-8 torsion component whose identity and certificate signatures pass the
  // cofactorless equation as well (WebCrypto accepted both before keys were checked).
  const identityBody = decode(v1.UserIdentityBody, user.identity.body!, 'identity');
  const mixedIdentity = signedByMixedKey(
    LABEL_USER_IDENTITY,
    (signingKey) => encode(v1.UserIdentityBody, { ...identityBody, signingKey }),
    user.keys.signingSecretKey,
  );
  const device = await stack.newDevice(user);
  const mixedCertificate = signedByMixedKey(
    LABEL_DEVICE_CERTIFICATE,
    () =>
      encode(v1.DeviceCertificateBody, {
        userId: user.userId,
        deviceKey: device.publicKey,
        deviceName: 'mixed',
        issuedAtMs: Date.now(),
      }),
    user.keys.signingSecretKey,
  );
  await finish({ identity: mixedIdentity, deviceCertificate: mixedCertificate }, 'mixed-order identity key');
  assert.deepEqual(await bucketCounts(), before, 'nothing stored');
});

test('login handles: tampered, expired and replayed handles are refused', async () => {
  const anon = await stack.loginConnection();
  const { user, device } = await stack.registerUser();
  const finish = (handle: Uint8Array, ke3: Uint8Array) => {
    const replyKey = newReplyKey();
    const body = encode(v1.LoginFinishRequest, {
      loginHandle: handle,
      credentialFinalization: ke3,
      deviceCertificate: device.certificate,
      replyKey,
    });
    return { replyKey, body };
  };
  const call = async (handle: Uint8Array, ke3: Uint8Array) => {
    const { replyKey, body } = finish(handle, ke3);
    return gatewayRequest(anon, LOGIN_SUBJECTS.loginFinish, body, { replyKey });
  };

  const tampered = await startLogin(anon, user);
  const bytes = tampered.handle.slice();
  bytes[bytes.length - 1]! ^= 1;
  await assert.rejects(call(bytes, tampered.ke3), MalformedError);

  // A good login, then the same finish again: a replay.
  const good = await startLogin(anon, user);
  await call(good.handle, good.ke3);
  await assert.rejects(call(good.handle, good.ke3), ReplayError);

  // A wrong KE3 uses the handle up too.
  const wrong = await startLogin(anon, user);
  await assert.rejects(call(wrong.handle, randomBytes(64)), BadCredentialsError);
  await assert.rejects(call(wrong.handle, wrong.ke3), ReplayError);

  const late = await startLogin(anon, user);
  await sleep(HANDLE_LIFETIME_MS + 200);
  await assert.rejects(call(late.handle, late.ke3), ExpiredError);
});

test('device subjects: garbage, wrong type, oversized; and not reachable with the login credential', async () => {
  const { user, device } = await stack.registerUser();
  const me = await stack.logInDevice(user, device);
  const before = await bucketCounts();
  for (const subject of Object.values(DEVICE_SUBJECTS)) {
    assert.ok((await refusal(me.nc, subject, garbage())) instanceof MalformedError, `${subject} garbage`);
    assert.ok(
      (await refusal(me.nc, subject, new Uint8Array(0))) instanceof MalformedError,
      `${subject} empty`,
    );
    const otherType = encode(v1.LoginStartRequest, {
      username: 'alice',
      credentialRequest: randomBytes(96),
      replyKey: newReplyKey(),
    });
    assert.ok((await refusal(me.nc, subject, otherType)) instanceof MalformedError, `${subject} wrong type`);
    assert.ok(
      (await refusal(me.nc, subject, randomBytes(4096))) instanceof TooLargeError,
      `${subject} oversized`,
    );
  }
  const anon = await stack.loginConnection();
  await assert.rejects(
    gatewayRequest(anon, DEVICE_SUBJECTS.refresh, garbage(), { timeoutMs: 1000 }),
    ForbiddenError,
  );
  assert.deepEqual(await bucketCounts(), before, 'nothing stored');
});

test('after all that, the gateway still serves', async () => {
  const { user, device } = await stack.registerUser();
  const anon = await stack.loginConnection();
  const session = await logIn(anon, {
    username: user.username,
    password: user.password,
    deviceCertificate: device.certificate,
  });
  assert.equal(session.userId, user.userId);
});
