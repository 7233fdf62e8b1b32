/**
 * The gateway's JetStream KV buckets (all in the gateway account, which no client can reach).
 * Bucket-level TTLs only: per-key TTL is a 2.11 feature that 2.9 silently ignores.
 * @example const buckets = await openBuckets(nc, keys, { replicas: 3 });
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { UnavailableError } from '../core/errors.ts';
import type { roomkey } from '../proto/index.ts';
import { v1 } from '../proto/index.ts';
import { keepCreated, retryTransient } from './jetstream-retry.ts';
import { SealedKv } from './sealed-kv.ts';
import type { ServerKeys } from './server-keys.ts';

const HOUR = 3600_000;
/** Tries to open each bucket: backoff 250 ms doubling to 4 s, no new try after 20 s. */
const OPEN_RETRY = { attempts: 12, budgetMs: 20_000, firstDelayMs: 250, maxDelayMs: 4000 };

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
  /** Device nkeys whose JWTs issued up to a time are refused (removed from a room): RevocationRecord. */
  cutoffs: 'rk_jwt_cutoffs',
  /** Rooms by room id: sealed RoomRecord (members with join sequence, epoch keys). */
  rooms: 'rk_rooms',
  /** Rooms of a user (is or was in), by user id: sealed UserRooms. */
  userRooms: 'rk_user_rooms',
  /** Policies: org.<org>, project.<org>.<project>, room.<room>: sealed Org/Project/RoomPolicy. */
  policies: 'rk_policies',
  /** Last presence beacon per device nkey (bucket TTL): sealed PresenceRecord. */
  presence: 'rk_presence',
  /** Web Push subscriptions by device key (hex): sealed PushSubscription. */
  push: 'rk_push',
  /** Read markers by user id, one record per user: sealed ReadMarkerList ("read up to N" per room). */
  markers: 'rk_markers',
  /** When a device last sent a beacon (8-byte big-endian ms), by nkey: orders push candidates. */
  lastSeen: 'rk_last_seen',
} as const;

/** Limits that bucket TTLs are sized for; options beyond them are refused at start. */
export const MAX_JWT_LIFETIME_MS = 24 * HOUR;
export const MAX_LOGIN_HANDLE_LIFETIME_MS = 10 * 60_000;
export const MAX_RATE_LIMIT_WINDOW_MS = 24 * HOUR;
/** A device that sent no beacon for this long is not present (the bucket's TTL). */
export const PRESENCE_TTL_MS = 90_000;
/** A device silent for this long is forgotten as a push candidate's "last seen" (bucket TTL). */
export const LAST_SEEN_TTL_MS = 90 * 24 * HOUR;

export interface Buckets {
  credentials: SealedKv<roomkey.v1.CredentialRecord, roomkey.v1.CredentialRecord.$Properties>;
  users: SealedKv<roomkey.v1.UserRecord, roomkey.v1.UserRecord.$Properties>;
  devices: SealedKv<roomkey.v1.DeviceRecord, roomkey.v1.DeviceRecord.$Properties>;
  rateLimit: KV;
  loginHandles: KV;
  revocations: KV;
  cutoffs: KV;
  rooms: SealedKv<roomkey.v1.RoomRecord, roomkey.v1.RoomRecord.$Properties>;
  userRooms: SealedKv<roomkey.v1.UserRooms, roomkey.v1.UserRooms.$Properties>;
  orgPolicies: SealedKv<roomkey.v1.OrgPolicy, roomkey.v1.OrgPolicy.$Properties>;
  projectPolicies: SealedKv<roomkey.v1.ProjectPolicy, roomkey.v1.ProjectPolicy.$Properties>;
  roomPolicies: SealedKv<roomkey.v1.RoomPolicy, roomkey.v1.RoomPolicy.$Properties>;
  presence: SealedKv<roomkey.v1.PresenceRecord, roomkey.v1.PresenceRecord.$Properties>;
  push: SealedKv<roomkey.v1.PushSubscription, roomkey.v1.PushSubscription.$Properties>;
  markers: SealedKv<roomkey.v1.ReadMarkerList, roomkey.v1.ReadMarkerList.$Properties>;
  lastSeen: KV;
}

export async function openBuckets(
  nc: NatsConnection,
  keys: ServerKeys,
  options: { replicas?: number } = {},
): Promise<Buckets> {
  const kvm = new Kvm(nc);
  const replicas = options.replicas ?? 1;
  // A cluster still joining or electing answers a create with a timeout or "error creating store
  // for stream" for a few seconds: retried with backoff, then a typed error that says what to check.
  // A bucket this start made is checked again once 2.9 can no longer take it back (keepCreated).
  const jsm = await retryTransient(() => jetstreamManager(nc), OPEN_RETRY);
  const exists = (stream: string) =>
    retryTransient(
      () =>
        jsm.streams.info(stream).then(
          () => true,
          (error: Error) => (/stream not found/i.test(error.message) ? false : Promise.reject(error)),
        ),
      OPEN_RETRY,
    );
  const made = new Map<string, number>();
  const extras = new Map<string, { ttl?: number; maxValueSize?: number }>();
  const create = (name: string) =>
    retryTransient(
      () => kvm.create(name, { history: 1, replicas, maxValueSize: 64 * 1024, ...extras.get(name) }),
      OPEN_RETRY,
    );
  const open = (name: string, extra: { ttl?: number; maxValueSize?: number } = {}) =>
    (async () => {
      extras.set(name, extra);
      const existed = await exists(`KV_${name}`);
      const kv = await create(name);
      // At R1 the one node that fails its store says so in the create's answer.
      if (!existed && replicas > 1) made.set(`KV_${name}`, Date.now());
      return kv;
    })().catch((error: unknown) => {
      throw new UnavailableError(
        `The gateway could not open the KV bucket ${name}: ${(error as Error)?.message ?? error}. Check that every nats-server of the cluster is running and routed to the others, that JetStream has room for ${replicas} replica(s), and the nats-server logs; then start the gateway again.`,
        { cause: error },
      );
    });
  const [
    credentials,
    users,
    devices,
    rateLimit,
    loginHandles,
    revocations,
    cutoffs,
    rooms,
    userRooms,
    policies,
    presence,
    push,
    markers,
    lastSeen,
  ] = await Promise.all([
    open(BUCKETS.credentials),
    open(BUCKETS.users),
    open(BUCKETS.devices),
    open(BUCKETS.rateLimit, { ttl: 2 * MAX_RATE_LIMIT_WINDOW_MS }),
    open(BUCKETS.loginHandles, { ttl: 2 * MAX_LOGIN_HANDLE_LIFETIME_MS, maxValueSize: 64 }),
    open(BUCKETS.revocations, { ttl: MAX_JWT_LIFETIME_MS + HOUR }),
    open(BUCKETS.cutoffs, { ttl: MAX_JWT_LIFETIME_MS + HOUR, maxValueSize: 256 }),
    open(BUCKETS.rooms, { maxValueSize: 1024 * 1024 }),
    open(BUCKETS.userRooms, { maxValueSize: 256 * 1024 }),
    open(BUCKETS.policies),
    open(BUCKETS.presence, { ttl: PRESENCE_TTL_MS, maxValueSize: 1024 }),
    open(BUCKETS.push, { maxValueSize: 4096 }),
    open(BUCKETS.markers, { maxValueSize: 256 * 1024 }),
    open(BUCKETS.lastSeen, { ttl: LAST_SEEN_TTL_MS, maxValueSize: 64 }),
  ]);
  await keepCreated(made, exists, async (stream) => {
    await create(stream.slice('KV_'.length));
  });
  const sealed = <T, P>(
    kv: KV,
    bucket: string,
    type: { decode(r: Uint8Array): T; encode(m: P): { finish(): Uint8Array } },
  ) => new SealedKv<T, P>(kv, bucket, keys.kvRecords, type);
  return {
    credentials: sealed(credentials, BUCKETS.credentials, v1.CredentialRecord),
    users: sealed(users, BUCKETS.users, v1.UserRecord),
    devices: sealed(devices, BUCKETS.devices, v1.DeviceRecord),
    rateLimit,
    loginHandles,
    revocations,
    cutoffs,
    rooms: sealed(rooms, BUCKETS.rooms, v1.RoomRecord),
    userRooms: sealed(userRooms, BUCKETS.userRooms, v1.UserRooms),
    // One bucket, three record types; keys are prefixed by level, and the AAD binds the key.
    orgPolicies: sealed(policies, BUCKETS.policies, v1.OrgPolicy),
    projectPolicies: sealed(policies, BUCKETS.policies, v1.ProjectPolicy),
    roomPolicies: sealed(policies, BUCKETS.policies, v1.RoomPolicy),
    presence: sealed(presence, BUCKETS.presence, v1.PresenceRecord),
    push: sealed(push, BUCKETS.push, v1.PushSubscription),
    markers: sealed(markers, BUCKETS.markers, v1.ReadMarkerList),
    lastSeen,
  };
}
