/**
 * The client side of sign-up, log-in and new-device enrollment (device JWT refresh and revocation:
 * device-jwt.ts, re-exported here). The password never leaves this module: OPAQUE sends only
 * blinded values, and the DeviceSession comes back sealed with the OPAQUE session key.
 * Browser-safe (no node: imports).
 * @example
 *   const login = await connectWithLoginCredential({ servers, loginJwt });
 *   const session = await logIn(login, { username, password, deviceCertificate });
 *   const nc = await connectAsDevice({ servers, jwt: () => session.userJwt, deviceSecretKey });
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { fromBase64Url, toBase64Url } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { type UserIdentity, type UserKeys, verifyUserIdentity } from '../crypto/index.ts';
import { BadCredentialsError, BadSignatureError, MalformedError } from '../errors.ts';
import { openDeviceSession } from '../transport/device-session-key.ts';
import { LOGIN_SUBJECTS } from '../transport/subjects.ts';
import { normalizeUsername } from '../transport/username.ts';
import { credentialOf, type DeviceCredential, type RequestOptions, sealedRequest } from './device-jwt.ts';
import { sealIdentityBackup } from './identity-backup.ts';
import { withSignInRetry } from './sign-in-retry.ts';

// The device-JWT half needs no OPAQUE: it lives in device-jwt.ts, so hosts that only keep a device
// connected (a service worker) do not carry the OPAQUE wasm.
export {
  type DeviceCredential,
  type KeepFreshInput,
  keepDeviceJwtFresh,
  type RequestOptions,
  refreshDelayMs,
  refreshDeviceJwt,
  refreshDeviceJwtOffline,
  revokeDevice,
} from './device-jwt.ts';

type Signed = roomkey.v1.Signed.$Properties;

export interface SignUpInput {
  username: string;
  password: string;
  /** Signed UserIdentityBody (self-signed, username = the normalized username). */
  identity: Signed;
  /** Signed DeviceCertificateBody of this device, by the user key. */
  deviceCertificate: Signed;
  /**
   * The user's secret keys: when given, they are sealed under the OPAQUE export key and stored
   * with the gateway (identity-backup.ts), so the password alone restores them on a new device.
   */
  userKeys?: Pick<UserKeys, 'signingSecretKey' | 'hpkePrivateKey'>;
}

type Opaque = typeof import('./opaque.ts');
let opaqueModule: Promise<Opaque> | undefined;

/**
 * OPAQUE (its WebAssembly is ~400 KiB) loads on first use: a bundler splits it into its own
 * chunk, so a returning device that only unlocks its store never downloads it.
 */
/**
 * Starts loading OPAQUE now (a sign-in or sign-up form is on screen), so the submit does not wait
 * for it. Never fails: a load error shows up at the submit.
 * @example if (keys === 'signed-out') preloadOpaque();
 */
export function preloadOpaque(): void {
  loadOpaque().catch(() => undefined);
}

async function loadOpaque(): Promise<Opaque> {
  opaqueModule ??= import('./opaque.ts').catch((error: unknown) => {
    opaqueModule = undefined; // a chunk that failed to load (network) is tried again next time
    throw error;
  });
  const opaque = await opaqueModule;
  await opaque.ready;
  return opaque;
}

/** Registers a new user and its first device; returns the user id the gateway stored. */
export async function signUp(
  login: NatsConnection,
  input: SignUpInput,
  options: RequestOptions = {},
): Promise<{ userId: string }> {
  const opaque = await loadOpaque();
  const username = normalizeUsername(input.username);
  const start = opaque.client.startRegistration({ password: input.password });
  const started = await sealedRequest(
    login,
    LOGIN_SUBJECTS.registerStart,
    (replyKey) =>
      encode(v1.RegisterStartRequest, {
        username,
        registrationRequest: fromBase64Url(start.registrationRequest),
        replyKey,
      }),
    options,
  );
  const { registrationResponse } = decode(v1.RegisterStartResponse, started, 'register start response');
  const finish = opaqueStep(() =>
    opaque.client.finishRegistration({
      clientRegistrationState: start.clientRegistrationState,
      registrationResponse: toBase64Url(registrationResponse),
      password: input.password,
    }),
  );
  let identityBackup: roomkey.v1.SealedIdentityBackup.$Properties | undefined;
  if (input.userKeys) {
    const userId = decode(v1.UserIdentityBody, input.identity.body ?? new Uint8Array(), 'identity').userId;
    identityBackup = sealIdentityBackup(fromBase64Url(finish.exportKey), userId, input.userKeys);
  }
  const done = await sealedRequest(
    login,
    LOGIN_SUBJECTS.registerFinish,
    (replyKey) =>
      encode(v1.RegisterFinishRequest, {
        username,
        registrationRecord: fromBase64Url(finish.registrationRecord),
        identity: input.identity,
        deviceCertificate: input.deviceCertificate,
        replyKey,
        ...(identityBackup ? { identityBackup } : {}),
      }),
    options,
  );
  return { userId: decode(v1.RegisterFinishResponse, done, 'register finish response').userId };
}

export interface DeviceSession {
  userJwt: string;
  expiresAtMs: number;
  /** The user's identity as the gateway holds it (verified here: self-signed, same username). */
  identity: Signed;
  userId: string;
  /** OPAQUE export key: a password-derived secret the gateway never sees (e.g. for key backups). */
  exportKey: Uint8Array;
  /** The sealed identity backup stored at sign-up, if any (open it with identity-backup.ts). */
  identityBackup?: roomkey.v1.SealedIdentityBackup.$Properties;
}

export interface LogInInput {
  username: string;
  password: string;
  /** Signed DeviceCertificateBody of this device (a device of the user, e.g. from pairing). */
  deviceCertificate: Signed;
}

/** Logs a device in; a wrong password is a BadCredentialsError, too many tries a RateLimitedError. */
export async function logIn(
  login: NatsConnection,
  input: LogInInput,
  options: RequestOptions = {},
): Promise<DeviceSession> {
  const done = await opaqueLogIn(login, input.username, input.password, input.deviceCertificate, options);
  if (typeof done.session.userJwt !== 'string' || !done.session.userJwt)
    throw new MalformedError('device session: no JWT');
  return {
    userJwt: done.session.userJwt,
    expiresAtMs: Number(done.session.expiresAtMs),
    identity: done.identitySigned,
    userId: done.identity.userId,
    exportKey: done.exportKey,
    ...(done.session.identityBackup ? { identityBackup: done.session.identityBackup } : {}),
  };
}

/** What a login without a device certificate yields: enough to restore the keys and enroll. */
export interface NewDeviceLogin {
  identity: UserIdentity;
  identitySigned: Signed;
  exportKey: Uint8Array;
  identityBackup?: roomkey.v1.SealedIdentityBackup.$Properties;
  /** Single use, a few minutes: pass it to `enrollDevice` with the new device's certificate. */
  enrollToken: Uint8Array;
}

/**
 * Logs in on a device that has no certificate yet (a new device): returns the identity, the
 * sealed backup and an enroll token; no JWT yet.
 * @example const first = await logInNewDevice(login, { username, password });
 */
export async function logInNewDevice(
  login: NatsConnection,
  input: { username: string; password: string },
  options: RequestOptions = {},
): Promise<NewDeviceLogin> {
  const done = await opaqueLogIn(login, input.username, input.password, undefined, options);
  const token = done.session.enrollToken;
  if (!(token instanceof Uint8Array) || token.length === 0)
    throw new MalformedError('device session: no enroll token');
  return {
    identity: done.identity,
    identitySigned: done.identitySigned,
    exportKey: done.exportKey,
    enrollToken: token,
    ...(done.session.identityBackup ? { identityBackup: done.session.identityBackup } : {}),
  };
}

/**
 * Registers a new device's certificate with the enroll token of `logInNewDevice`; returns its first JWT.
 * @example const credential = await enrollDevice(login, { enrollToken, deviceCertificate });
 */
export async function enrollDevice(
  login: NatsConnection,
  input: { enrollToken: Uint8Array; deviceCertificate: Signed },
  options: RequestOptions = {},
): Promise<DeviceCredential> {
  const ok = await sealedRequest(
    login,
    LOGIN_SUBJECTS.deviceEnroll,
    (replyKey) =>
      encode(v1.EnrollDeviceRequest, {
        enrollToken: input.enrollToken,
        deviceCertificate: input.deviceCertificate,
        replyKey,
      }),
    options,
  );
  return credentialOf(decode(v1.RefreshResponse, ok, 'enroll response'));
}

/**
 * An OPAQUE log-in, whole (a login handle is single-use, so a failed finish starts over), tried
 * again while the server is briefly unavailable (sign-in-retry.ts).
 */
function opaqueLogIn(...args: Parameters<typeof opaqueLogInOnce>): ReturnType<typeof opaqueLogInOnce> {
  return withSignInRetry(() => opaqueLogInOnce(...args));
}

async function opaqueLogInOnce(
  login: NatsConnection,
  rawUsername: string,
  password: string,
  deviceCertificate: Signed | undefined,
  options: RequestOptions,
): Promise<{
  session: roomkey.v1.DeviceSession;
  identity: UserIdentity;
  identitySigned: Signed;
  exportKey: Uint8Array;
}> {
  const opaque = await loadOpaque();
  const username = normalizeUsername(rawUsername);
  const start = opaque.client.startLogin({ password });
  const started = decode(
    v1.LoginStartResponse,
    await sealedRequest(
      login,
      LOGIN_SUBJECTS.loginStart,
      (replyKey) =>
        encode(v1.LoginStartRequest, {
          username,
          credentialRequest: fromBase64Url(start.startLoginRequest),
          replyKey,
        }),
      options,
    ),
    'login start response',
  );
  const finished = opaqueStep(() =>
    opaque.client.finishLogin({
      clientLoginState: start.clientLoginState,
      loginResponse: toBase64Url(started.credentialResponse),
      password,
    }),
  );
  // OPAQUE tells the client, not the server, that the password was wrong.
  if (!finished) throw new BadCredentialsError();
  const response = decode(
    v1.LoginFinishResponse,
    await sealedRequest(
      login,
      LOGIN_SUBJECTS.loginFinish,
      (replyKey) =>
        encode(v1.LoginFinishRequest, {
          loginHandle: started.loginHandle,
          credentialFinalization: fromBase64Url(finished.finishLoginRequest),
          ...(deviceCertificate ? { deviceCertificate } : {}),
          replyKey,
        }),
      options,
    ),
    'login finish response',
  );
  const session = decode(
    v1.DeviceSession,
    openDeviceSession(fromBase64Url(finished.sessionKey), response.nonce, response.sealedSession),
    'device session',
  );
  const identity = await checkOwnIdentity(session.identity, username);
  return {
    session,
    identity,
    identitySigned: {
      body: session.identity!.body,
      signature: session.identity!.signature,
      signer: session.identity!.signer,
    },
    exportKey: fromBase64Url(finished.exportKey),
  };
}

function opaqueStep<T>(step: () => T): T {
  try {
    return step();
  } catch (cause) {
    throw new MalformedError('The gateway sent an OPAQUE message that does not parse.', { cause });
  }
}

/** The gateway returns the user's identity: it must be self-signed and carry this username. */
async function checkOwnIdentity(
  identity: Signed | null | undefined,
  username: string,
): Promise<UserIdentity> {
  if (!identity) throw new MalformedError('device session: no identity');
  let parsed: UserIdentity;
  try {
    parsed = await verifyUserIdentity(identity);
  } catch (cause) {
    if (cause instanceof BadSignatureError) {
      throw new BadSignatureError('device session: the identity is not validly self-signed');
    }
    throw cause;
  }
  if (parsed.username !== username)
    throw new BadSignatureError('device session: the identity is for another username');
  return parsed;
}
