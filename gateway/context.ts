/**
 * Everything a handler needs, built once per gateway instance from the data directory and NATS.
 * Nothing in here is state of the gateway's own: KV buckets live in NATS, the rest is derived from
 * the secrets, so any instance can handle any request.
 */

import type { NatsConnection } from '@nats-io/nats-core';
import type { AccountPublisher } from './account-publisher.ts';
import type { Buckets } from './buckets.ts';
import type { Stack } from './data-dir.ts';
import type { LegacyRooms } from './legacy-rooms.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { RoomCache } from './room-chain.ts';
import type { RoomGrantSource } from './room-permissions.ts';
import type { RoomStreams } from './room-streams.ts';
import type { ServerKeys } from './server-keys.ts';
import type { JwtIssuer } from './user-jwt.ts';

export interface GatewayContext {
  stack: Stack;
  keys: ServerKeys;
  buckets: Buckets;
  /** Login starts (per username, connection, source). */
  limiter: RateLimiter;
  /** Registration starts (per connection, source). */
  signUpLimiter: RateLimiter;
  issuer: JwtIssuer;
  publisher: AccountPublisher;
  roomGrants: RoomGrantSource;
  jwtLifetimeMs: number;
  loginHandleLifetimeMs: number;
  now: () => number;
  /** The gateway's connection in the app account (room streams, notices, presence). */
  app: NatsConnection;
  streams: RoomStreams;
  /** Rooms moved from per-room streams: old positions and copies' original times (legacy-rooms.ts). */
  legacy: LegacyRooms;
  rooms: RoomCache;
  log: (line: string) => void;
  /** Told of every device JWT issued (metrics). */
  onJwtIssued?: () => void;
}
