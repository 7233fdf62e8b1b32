/**
 * The client side of sign-up, log-in, device JWT refresh and device revocation. The password never
 * leaves this module: OPAQUE sends only blinded values, and the DeviceSession comes back sealed
 * with the OPAQUE session key. Browser-safe (no node: imports).
 * @example
 *   const login = await connectWithLoginCredential({ servers, loginJwt });
 *   const session = await logIn(login, { username, password, deviceCertificate });
 *   const nc = await connectAsDevice({ servers, jwt: () => session.userJwt, deviceSecretKey });
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { ed25519 } from '@noble/curves/ed25519.js';
import * as opaque from '@serenity-kit/opaque';
import { type roomkey, v1 } from '../../proto/index.ts';
import { concatBytes, equalBytes, fromBase64Url, toBase64Url, u64be, utf8 } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import {
  BadCredentialsError,
  BadSignatureError,
  MalformedError,
  RevokedError,
  type RoomKeyError,
} from '../errors.ts';
import { openDeviceSession } from '../transport/device-session-key.ts';
import { newReplyKey } from '../transport/reply-seal.ts';
import { gatewayRequest } from '../transport/request.ts';
import { DEVICE_SUBJECTS, LOGIN_SUBJECTS } from '../transport/subjects.ts';
import { normalizeUsername } from '../transport/username.ts';

type Signed = roomkey.v1.Signed.$Properties;

export const LABEL_USER_IDENTITY = 'roomkey/v1/user-identity';
export const LABEL_REFRESH = 'roomkey/v1/refresh';
export const LABEL_DEVICE_REVOCATION = 'roomkey/v1/device-revocation';

export interface RequestOptions {
  timeoutMs?: number;
}

export interface SignUpInput {
  username: string;
  password: string;
  /** Signed UserIdentityBody (self-signed, username = the normalized username). */
  identity: Signed;
  /** Signed DeviceCertificateBody of this device, by the user key. */
  deviceCertificate: Signed;
}

/** Registers a new user and its first device; returns the user id the gateway stored. */
export async function signUp(
  login: NatsConnection,
  input: SignUpInput,
  options: RequestOptions = {},
): Promise<{ userId: string }> {
  await opaque.ready;
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
  await opaque.ready;
  const username = normalizeUsername(input.username);
  const start = opaque.client.startLogin({ password: input.password });
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
      password: input.password,
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
          deviceCertificate: input.deviceCertificate,
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
  const identity = session.identity;
  const body = checkOwnIdentity(identity, username);
  if (typeof session.userJwt !== 'string' || !session.userJwt)
    throw new MalformedError('device session: no JWT');
  return {
    userJwt: session.userJwt,
    expiresAtMs: Number(session.expiresAtMs),
    identity: identity!,
    userId: body.userId,
    exportKey: fromBase64Url(finished.exportKey),
  };
}

/** A fresh device JWT (current rooms and revocation state), asked on the device's own connection. */
export async function refreshDeviceJwt(
  device: NatsConnection,
  deviceSecretKey: Uint8Array,
  options: RequestOptions & { now?: number } = {},
): Promise<{ userJwt: string; expiresAtMs: number }> {
  const deviceKey = ed25519.getPublicKey(deviceSecretKey);
  const requestedAtMs = options.now ?? Date.now();
  // TODO(crypto): use core/crypto sign with labeledMessage
  const proof = ed25519.sign(labeled(LABEL_REFRESH, deviceKey, u64be(requestedAtMs)), deviceSecretKey);
  const ok = await gatewayRequest(
    device,
    DEVICE_SUBJECTS.refresh,
    encode(v1.RefreshRequest, { deviceKey, requestedAtMs, proof }),
    {
      timeoutMs: options.timeoutMs,
    },
  );
  const res = decode(v1.RefreshResponse, ok, 'refresh response');
  if (!res.userJwt) throw new MalformedError('refresh response: no JWT');
  return { userJwt: res.userJwt, expiresAtMs: Number(res.expiresAtMs) };
}

/** Revokes one of the user's devices (maybe this one), proved with the user signing key. */
export async function revokeDevice(
  device: NatsConnection,
  input: { deviceKey: Uint8Array; userSigningSecretKey: Uint8Array },
  options: RequestOptions & { now?: number } = {},
): Promise<void> {
  const revokedAtMs = options.now ?? Date.now();
  // TODO(crypto): use core/crypto sign with labeledMessage
  const userSignature = ed25519.sign(
    labeled(LABEL_DEVICE_REVOCATION, input.deviceKey, u64be(revokedAtMs)),
    input.userSigningSecretKey,
  );
  await gatewayRequest(
    device,
    DEVICE_SUBJECTS.revoke,
    encode(v1.RevokeDeviceRequest, { deviceKey: input.deviceKey, revokedAtMs, userSignature }),
    { timeoutMs: options.timeoutMs },
  );
}

/**
 * When to refresh a JWT: a quarter of its remaining life before expiry (at most 5 minutes before,
 * at least 250 ms), so a 1 h JWT refreshes 5 min early and a 2 s test JWT after 1.5 s.
 */
export function refreshDelayMs(expiresAtMs: number, now = Date.now()): number {
  const remaining = expiresAtMs - now;
  const lead = Math.min(5 * 60_000, Math.max(250, remaining / 4));
  return Math.max(0, remaining - lead);
}

/** The device's current NATS credential; `connectAsDevice({ jwt: () => credential.userJwt })`. */
export interface DeviceCredential {
  userJwt: string;
  expiresAtMs: number;
}

export interface KeepFreshInput {
  nc: NatsConnection;
  credential: DeviceCredential;
  deviceSecretKey: Uint8Array;
  /**
   * Reconnect after each refresh so the server applies the new JWT's permissions now (a NATS
   * connection keeps the permissions it connected with). Default true.
   */
  applyNow?: boolean;
  onRefreshed?: (credential: DeviceCredential) => void;
  /** Called for every failed attempt; a RevokedError stops the loop. */
  onError?: (error: RoomKeyError | Error) => void;
}

/** Refreshes the device JWT before each expiry, retrying failures until it expires. */
export function keepDeviceJwtFresh(input: KeepFreshInput): { stop(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = (delay: number) => {
    if (!stopped) timer = setTimeout(run, delay);
  };
  const run = async () => {
    try {
      const next = await refreshDeviceJwt(input.nc, input.deviceSecretKey);
      input.credential.userJwt = next.userJwt;
      input.credential.expiresAtMs = next.expiresAtMs;
      input.onRefreshed?.(input.credential);
      if (input.applyNow !== false && !input.nc.isClosed()) await input.nc.reconnect();
      schedule(refreshDelayMs(next.expiresAtMs));
    } catch (error) {
      input.onError?.(error as Error);
      if (error instanceof RevokedError || input.nc.isClosed()) return;
      const remaining = input.credential.expiresAtMs - Date.now();
      if (remaining > 0) schedule(Math.min(5000, Math.max(100, remaining / 4)));
    }
  };
  schedule(refreshDelayMs(input.credential.expiresAtMs));
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** Sends a login-credential request with a fresh reply key and opens the sealed reply. */
async function sealedRequest(
  nc: NatsConnection,
  subject: string,
  body: (replyKey: Uint8Array) => Uint8Array,
  options: RequestOptions,
): Promise<Uint8Array> {
  const replyKey = newReplyKey();
  return gatewayRequest(nc, subject, body(replyKey), { timeoutMs: options.timeoutMs, replyKey });
}

function opaqueStep<T>(step: () => T): T {
  try {
    return step();
  } catch (cause) {
    throw new MalformedError('The gateway sent an OPAQUE message that does not parse.', { cause });
  }
}

function labeled(label: string, ...parts: Uint8Array[]): Uint8Array {
  return concatBytes(utf8(label), new Uint8Array([0]), ...parts);
}

/** The gateway returns the user's identity: it must be self-signed and carry this username. */
function checkOwnIdentity(
  identity: Signed | null | undefined,
  username: string,
): roomkey.v1.UserIdentityBody {
  const { body, signature, signer } = identity ?? {};
  if (
    !(body instanceof Uint8Array) ||
    !(signature instanceof Uint8Array) ||
    !(signer instanceof Uint8Array)
  ) {
    throw new MalformedError('device session: no identity');
  }
  const parsed = decode(v1.UserIdentityBody, body, 'user identity');
  // TODO(crypto): use core/crypto verifySigned
  let valid = false;
  try {
    valid =
      equalBytes(parsed.signingKey, signer) &&
      ed25519.verify(signature, labeled(LABEL_USER_IDENTITY, body), signer);
  } catch {
    valid = false;
  }
  if (!valid) throw new BadSignatureError('device session: the identity is not validly self-signed');
  if (parsed.username !== username)
    throw new BadSignatureError('device session: the identity is for another username');
  return parsed;
}
