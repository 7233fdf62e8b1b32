/**
 * The gateway's JetStream KV buckets (all in the gateway account, which no client can reach).
 * Bucket-level TTLs only: per-key TTL is a 2.11 feature that 2.9 silently ignores.
 * @example const buckets = await openBuckets(nc, keys, { replicas: 3 });
 */
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { roomkey } from '../proto/index.ts';
import { v1 } from '../proto/index.ts';
import { SealedKv } from './sealed-kv.ts';
import type { ServerKeys } from './server-keys.ts';

const HOUR = 3600_000;

export const BUCKETS = {
  /** Registration records by blinded username: sealed CredentialRecord. */
  credentials: 'rk_credentials',
  /** Identities by user id: sealed UserRecord. */
  users: 'rk_users',
  /** Device certificates by device key (hex): sealed DeviceRecord. */
  devices: 'rk_devices',
  /** Failed-login counters by blinded username / connection / address (RateLimitRecord). */
  rateLimit: 'rk_ratelimit',
  /** Used login handles (replay guard), kept a little longer than a handle lives. */
  loginHandles: 'rk_login_handles',
  /** Revoked device nkeys still inside the longest JWT lifetime (RevocationRecord). */
  revocations: 'rk_revocations',
} as const;

/** Limits that bucket TTLs are sized for; options beyond them are refused at start. */
export const MAX_JWT_LIFETIME_MS = 24 * HOUR;
export const MAX_LOGIN_HANDLE_LIFETIME_MS = 10 * 60_000;
export const MAX_RATE_LIMIT_WINDOW_MS = 24 * HOUR;

export interface Buckets {
  credentials: SealedKv<roomkey.v1.CredentialRecord, roomkey.v1.CredentialRecord.$Properties>;
  users: SealedKv<roomkey.v1.UserRecord, roomkey.v1.UserRecord.$Properties>;
  devices: SealedKv<roomkey.v1.DeviceRecord, roomkey.v1.DeviceRecord.$Properties>;
  rateLimit: KV;
  loginHandles: KV;
  revocations: KV;
}

export async function openBuckets(
  nc: NatsConnection,
  keys: ServerKeys,
  options: { replicas?: number } = {},
): Promise<Buckets> {
  const kvm = new Kvm(nc);
  const replicas = options.replicas ?? 1;
  const open = (name: string, extra: { ttl?: number; maxValueSize?: number } = {}) =>
    kvm.create(name, { history: 1, replicas, maxValueSize: 64 * 1024, ...extra });
  const [credentials, users, devices, rateLimit, loginHandles, revocations] = await Promise.all([
    open(BUCKETS.credentials),
    open(BUCKETS.users),
    open(BUCKETS.devices),
    open(BUCKETS.rateLimit, { ttl: 2 * MAX_RATE_LIMIT_WINDOW_MS }),
    open(BUCKETS.loginHandles, { ttl: 2 * MAX_LOGIN_HANDLE_LIFETIME_MS, maxValueSize: 64 }),
    open(BUCKETS.revocations, { ttl: MAX_JWT_LIFETIME_MS + HOUR }),
  ]);
  return {
    credentials: new SealedKv(credentials, BUCKETS.credentials, keys.kvRecords, v1.CredentialRecord),
    users: new SealedKv(users, BUCKETS.users, keys.kvRecords, v1.UserRecord),
    devices: new SealedKv(devices, BUCKETS.devices, keys.kvRecords, v1.DeviceRecord),
    rateLimit,
    loginHandles,
    revocations,
  };
}
