/**
 * The account flows that open a RoomKeySession: sign-up, sign-in (this device's store, or a new
 * device with the password alone) and resume. Each ends with an unlocked LocalState (and, after a
 * network log-in, the device credential it got) that the session starts on.
 * - signUp: user keys + device key + certificate made here; OPAQUE registration with an identity
 *   backup sealed under the OPAQUE export key (identity-backup.ts); then a log-in for the JWT.
 * - signIn: with a store on this device, unlocking it with the password is the sign-in (the device
 *   key proves the device for a fresh JWT); without one (a new device), OPAQUE log-in, restore the
 *   user keys from the backup, certify a new device key, enroll it.
 * - The local store's passphrase IS the account password: one secret unlocks both.
 * @example const { state, credential } = await createAccount({ config, backend, username, password });
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { toBase64Url } from '../bytes.ts';
import { decode } from '../codec.ts';
import type { BatchVerifier } from '../crypto/index.ts';
import {
  createDeviceKey,
  createUserKeys,
  GENERIC_DEVICE_NAME,
  randomBytes,
  type SignedProps,
  signDeviceCertificate,
  signUserIdentity,
  type UserKeys,
} from '../crypto/index.ts';
import { BadCredentialsError, ConflictError, RevokedError, WrongPassphraseError } from '../errors.ts';
import type { BatchOpener } from '../room/index.ts';
import type { StoreBackend } from '../store/backend.ts';
import type { Argon2Params } from '../store/params.ts';
import { EncryptedStore } from '../store/store.ts';
import { connectWithLoginCredential } from '../transport/connect.ts';
import { normalizeUsername } from '../transport/username.ts';
import {
  type DeviceCredential,
  enrollDevice,
  logIn,
  logInNewDevice,
  signUp as registerUser,
} from './auth.ts';
import type { ClientConfig } from './config.ts';
import { openIdentityBackup } from './identity-backup.ts';
import { LocalState } from './local-state.ts';
import type { PasskeyUnlock } from './passkey.ts';
import type { RoomKeySession } from './session.ts';
import type { PresenceState } from './types.ts';

export interface SessionOptions {
  config: ClientConfig;
  /** Where the encrypted store lives (one account per backend). */
  backend: StoreBackend;
  /** Argon2id costs for a NEW store; default DEFAULT_ARGON2_PARAMS (tests pass cheap ones). */
  storeParams?: Argon2Params;
  /**
   * This device's name, sealed to the user's key (device-names.ts; default: browser and OS from
   * the user agent). Certificates carry the generic "device": the gateway stores them.
   */
  deviceName?: string;
  /** Decrypted previews in notifications (default true). */
  previews?: boolean;
  /** Presence state at start (default 'active'); the host updates it with setPresence. */
  presence?: PresenceState;
  /** Called for background failures (a live message that failed to apply, a refresh that failed). */
  onError?: (error: Error) => void;
  /** Verifies history pages' signatures off the main thread (a host's VerifyPool); default in-thread. */
  verifier?: BatchVerifier;
  /** Opens history pages' envelopes off the main thread (a host's VerifyPool); default in-thread. */
  opener?: BatchOpener;
  /**
   * Called with the new session before it connects, so the host's listeners hear its first events
   * too (the rooms, and what a resumed live reader delivers at once); nothing is kept for later.
   */
  onCreated?: (session: RoomKeySession) => void;
}

export interface Credentials {
  username: string;
  password: string;
}

/** An unlocked store to start a session on; `credential` when a network log-in just made one. */
export interface OpenedAccount {
  state: LocalState;
  credential?: DeviceCredential;
}

/**
 * Makes a new account (username + password only) with this device as its first device.
 * @example const opened = await createAccount({ config, backend, username: 'alice', password });
 */
export async function createAccount(options: SessionOptions & Credentials): Promise<OpenedAccount> {
  if (await LocalState.exists(options.backend)) {
    throw new ConflictError('This device already holds an account: sign out (or sign in) first.');
  }
  const username = normalizeUsername(options.username);
  const userKeys = await createUserKeys();
  const device = createDeviceKey();
  const userId = toBase64Url(randomBytes(16));
  const now = Date.now();
  const identity = await signUserIdentity(userKeys, { userId, username, createdAtMs: now });
  const certificate = await signDeviceCertificate(userKeys, {
    userId,
    deviceKey: device.publicKey,
    deviceName: GENERIC_DEVICE_NAME,
    issuedAtMs: now,
  });
  const timeout = { timeoutMs: options.config.requestTimeoutMs };
  const credential = await withLoginConnection(options.config, async (login) => {
    await registerUser(
      login,
      { username, password: options.password, identity, deviceCertificate: certificate, userKeys },
      timeout,
    );
    const session = await logIn(
      login,
      { username, password: options.password, deviceCertificate: certificate },
      timeout,
    );
    return { userJwt: session.userJwt, expiresAtMs: session.expiresAtMs };
  });
  const state = await LocalState.create(options.backend, options.password, options.storeParams);
  await state.setIdentity(localIdentity(identity, userKeys, device.secretKey, certificate));
  return { state, credential };
}

/**
 * Unlocks this device's store with the account password, or a passkey's PRF output (passkey.ts);
 * a wrong one is BadCredentialsError.
 * @example const state = await unlockStore(backend, password);
 */
export async function unlockStore(
  backend: StoreBackend,
  password: string | PasskeyUnlock,
): Promise<LocalState> {
  try {
    if (typeof password !== 'string') {
      const store = await EncryptedStore.open(backend);
      try {
        await store.unlockWithPrf(password.secret, password.credentialId);
      } catch (error) {
        if (error instanceof WrongPassphraseError) {
          throw new BadCredentialsError(
            'That passkey does not unlock RoomKey on this device: use your password.',
          );
        }
        throw error;
      }
      return LocalState.of(store);
    }
    return await LocalState.open(backend, password);
  } catch (error) {
    if (error instanceof WrongPassphraseError) throw new BadCredentialsError();
    throw error;
  }
}

/**
 * Signs in: unlocks this device's store when it holds this account (and starts on it), else signs
 * in as a new device with the password alone (the identity backup restores the user keys). A
 * device that was revoked meanwhile is forgotten here and replaced by a new one.
 * @example const session = await signInAccount(options, (opened) => RoomKeySession.start(options, opened));
 */
export async function signInAccount<S>(
  options: SessionOptions & Credentials,
  start: (opened: OpenedAccount) => Promise<S>,
): Promise<S> {
  const username = normalizeUsername(options.username);
  if (await LocalState.exists(options.backend)) {
    const state = await unlockStore(options.backend, options.password);
    const stored = await state.identity();
    const storedName = stored?.identity?.body
      ? decode(v1.UserIdentityBody, stored.identity.body, 'identity').username
      : '';
    if (storedName !== username) {
      state.lock();
      throw new ConflictError(
        `This device holds the account "${storedName}": sign out first to use another.`,
      );
    }
    try {
      return await start({ state });
    } catch (error) {
      if (!(error instanceof RevokedError)) throw error;
      state.lock();
      await LocalState.wipe(options.backend); // its keys can never be used again
    }
  }
  return start(await enrollNewDevice(options, username));
}

/** A new device: OPAQUE log-in, the user keys from the backup, a new certified device key. */
async function enrollNewDevice(
  options: SessionOptions & Credentials,
  username: string,
): Promise<OpenedAccount> {
  const timeout = { timeoutMs: options.config.requestTimeoutMs };
  return withLoginConnection(options.config, async (login) => {
    const first = await logInNewDevice(login, { username, password: options.password }, timeout);
    const userKeys = openIdentityBackup(first.exportKey, first.identity, first.identityBackup);
    const device = createDeviceKey();
    const certificate = await signDeviceCertificate(userKeys, {
      userId: first.identity.userId,
      deviceKey: device.publicKey,
      deviceName: GENERIC_DEVICE_NAME,
      issuedAtMs: Date.now(),
    });
    const credential = await enrollDevice(
      login,
      { enrollToken: first.enrollToken, deviceCertificate: certificate },
      timeout,
    );
    const state = await LocalState.create(options.backend, options.password, options.storeParams);
    await state.setIdentity(
      localIdentity(first.identitySigned as SignedProps, userKeys, device.secretKey, certificate),
    );
    return { state, credential };
  });
}

/** Runs `fn` on a connection with the deployment's login credential, closed afterwards. */
async function withLoginConnection<T>(
  config: ClientConfig,
  fn: (nc: NatsConnection) => Promise<T>,
): Promise<T> {
  const login = await connectWithLoginCredential({
    servers: config.servers,
    connect: config.connect,
    loginJwt: config.loginJwt,
    options: { timeout: 5000 },
  });
  try {
    return await fn(login);
  } finally {
    await login.close().catch(() => undefined);
  }
}

function localIdentity(
  identity: SignedProps,
  keys: UserKeys,
  deviceSecret: Uint8Array,
  certificate: SignedProps,
): roomkey.v1.LocalIdentity.$Properties {
  return {
    identity,
    signingSecret: keys.signingSecretKey,
    hpkeSecret: keys.hpkePrivateKey,
    deviceSecret,
    deviceCertificate: certificate,
  };
}
