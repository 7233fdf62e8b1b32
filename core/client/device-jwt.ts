/**
 * The device's NATS credential over its life: refresh on the device connection, refresh on the
 * login credential when NATS no longer lets the device in, revocation, and the refresh schedule.
 * Split from auth.ts (sign-up/log-in) so it carries no OPAQUE: a service worker that only keeps a
 * device connected stays small. Browser-safe.
 * @example const next = await refreshDeviceJwt(nc, deviceSecretKey);
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { roomkey } from '../../proto/index.ts';
import * as v1 from '../../proto/index.ts';
import { u64be } from '../bytes.ts';
import { decode, encode } from '../codec.ts';
import { labeledMessage, sign, signingPublicKey } from '../crypto/index.ts';
import { MalformedError, RevokedError, type RoomKeyError } from '../errors.ts';
import { LABEL_DEVICE_REVOCATION, LABEL_REFRESH, LABEL_REFRESH_OFFLINE } from '../transport/proof-labels.ts';
import { newReplyKey } from '../transport/reply-seal.ts';
import { gatewayRequest } from '../transport/request.ts';
import { DEVICE_SUBJECTS, LOGIN_SUBJECTS } from '../transport/subjects.ts';

export interface RequestOptions {
  timeoutMs?: number;
}

/** A fresh device JWT (current rooms and revocation state), asked on the device's own connection. */
export async function refreshDeviceJwt(
  device: NatsConnection,
  deviceSecretKey: Uint8Array,
  options: RequestOptions & { now?: number } = {},
): Promise<{ userJwt: string; expiresAtMs: number }> {
  const deviceKey = signingPublicKey(deviceSecretKey);
  const requestedAtMs = options.now ?? Date.now();
  const proof = await sign(labeledMessage(LABEL_REFRESH, deviceKey, u64be(requestedAtMs)), deviceSecretKey);
  const ok = await gatewayRequest(
    device,
    DEVICE_SUBJECTS.refresh,
    encode(v1.RefreshRequest, { deviceKey, requestedAtMs, proof }),
    {
      timeoutMs: options.timeoutMs,
    },
  );
  return credentialOf(decode(v1.RefreshResponse, ok, 'refresh response'));
}

/**
 * A fresh device JWT asked on the login credential: for a device NATS no longer lets in with its
 * current JWT (its user was removed from a room, which revokes the user's current JWTs).
 * @example credential = await refreshDeviceJwtOffline(login, deviceSecretKey);
 */
export async function refreshDeviceJwtOffline(
  login: NatsConnection,
  deviceSecretKey: Uint8Array,
  options: RequestOptions & { now?: number } = {},
): Promise<DeviceCredential> {
  const deviceKey = signingPublicKey(deviceSecretKey);
  const requestedAtMs = options.now ?? Date.now();
  const ok = await sealedRequest(
    login,
    LOGIN_SUBJECTS.deviceRefresh,
    async (replyKey) => {
      const proof = await sign(
        labeledMessage(LABEL_REFRESH_OFFLINE, deviceKey, u64be(requestedAtMs), replyKey),
        deviceSecretKey,
      );
      return encode(v1.RefreshRequest, { deviceKey, requestedAtMs, proof, replyKey });
    },
    options,
  );
  return credentialOf(decode(v1.RefreshResponse, ok, 'refresh response'));
}

export function credentialOf(res: roomkey.v1.RefreshResponse): DeviceCredential {
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
  const userSignature = await sign(
    labeledMessage(LABEL_DEVICE_REVOCATION, input.deviceKey, u64be(revokedAtMs)),
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
export async function sealedRequest(
  nc: NatsConnection,
  subject: string,
  body: (replyKey: Uint8Array) => Uint8Array | Promise<Uint8Array>,
  options: RequestOptions,
): Promise<Uint8Array> {
  const replyKey = newReplyKey();
  return gatewayRequest(nc, subject, await body(replyKey), { timeoutMs: options.timeoutMs, replyKey });
}
