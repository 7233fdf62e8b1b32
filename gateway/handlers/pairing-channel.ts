/**
 * The pairing relay's channels: one sealed PairingChannel record per channel id in the rk_pairing
 * KV bucket (server-secret sealed like every personal record). A channel only moves forward,
 * OPEN → HELLO → SENT → DONE, or to CANCELLED, each step a compare-and-set on the revision read,
 * so two gateways (or a replayed request) can never take the same step twice: a channel works once.
 * The bucket's max age (10 min) outlives every offer (2 min), so a channel id cannot be opened again
 * while its offer could still be accepted.
 * @example const channel = await channels.require(channelId, ctx.now());
 */
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { toHex } from '../../core/bytes.ts';
import { PAIRING_CHANNEL_ID_BYTES, PAIRING_CLOCK_SKEW_MS } from '../../core/crypto/index.ts';
import { ConflictError, ExpiredError, NotFoundError, ReplayError } from '../../core/errors.ts';
import { type roomkey, v1 } from '../../proto/index.ts';
import { requireBytes } from '../checks.ts';
import { RateLimiter, type RateLimitPolicy } from '../rate-limit.ts';
import { SealedKv, type Versioned } from '../sealed-kv.ts';
import type { ServerKeys } from '../server-keys.ts';

export const PAIRING_BUCKET = 'rk_pairing';
const PAIRING_BUCKET_TTL_MS = 10 * 60_000;

export type Channel = Versioned<roomkey.v1.PairingChannel>;
export type ChannelStore = SealedKv<roomkey.v1.PairingChannel, roomkey.v1.PairingChannel.$Properties>;

/** Pairing attempts: channels opened (new devices) and hellos said (old devices). */
export interface PairingRateLimits {
  connection: RateLimitPolicy;
  source: RateLimitPolicy;
}

/** Per 10 min: 10 attempts per connection, 60 per address (a NAT may hide many people). */
export const DEFAULT_PAIRING_RATE_LIMITS: PairingRateLimits = {
  connection: { maxAttempts: 10, windowMs: 10 * 60_000, lockMs: 10 * 60_000 },
  source: { maxAttempts: 60, windowMs: 10 * 60_000, lockMs: 10 * 60_000 },
};

export interface PairingDeps {
  channels: ChannelStore;
  /** Counts channel opens (per connection and address of the new device). */
  openLimiter: RateLimiter;
  /** Counts hellos (per connection and address of the old device). */
  helloLimiter: RateLimiter;
}

/**
 * Opens the bucket and the limiters the pairing endpoints share.
 * @example const deps = await openPairing(nc, { keys, rateLimit, now, replicas });
 */
export async function openPairing(
  nc: NatsConnection,
  options: {
    keys: ServerKeys;
    rateLimit: ConstructorParameters<typeof RateLimiter>[0];
    now: () => number;
    replicas?: number;
    limits?: Partial<PairingRateLimits>;
  },
): Promise<PairingDeps> {
  const kv = await new Kvm(nc).create(PAIRING_BUCKET, {
    history: 1,
    replicas: options.replicas ?? 1,
    ttl: PAIRING_BUCKET_TTL_MS,
    maxValueSize: 512 * 1024,
  });
  const limits = { ...DEFAULT_PAIRING_RATE_LIMITS, ...options.limits };
  const limiter = (prefix: string) =>
    new RateLimiter(options.rateLimit, options.keys, limits, {
      now: options.now,
      scope: { prefix, noun: 'pairing attempts' },
    });
  return {
    channels: new SealedKv(kv, PAIRING_BUCKET, options.keys.kvRecords, v1.PairingChannel),
    openLimiter: limiter('pairing-open-'),
    helloLimiter: limiter('pairing-hello-'),
  };
}

/** The KV key of a channel id (checked: exactly 16 bytes). */
export function channelKey(channelId: unknown): string {
  return toHex(requireBytes(channelId, PAIRING_CHANNEL_ID_BYTES, PAIRING_CHANNEL_ID_BYTES, 'channel_id'));
}

/** The channel, still within its offer's lifetime (plus `graceMs`); NotFound/Expired otherwise. */
export async function requireChannel(
  channels: ChannelStore,
  channelId: unknown,
  now: number,
  graceMs = 0,
): Promise<Channel> {
  const channel = await channels.get(channelKey(channelId));
  if (!channel) {
    throw new NotFoundError('No such pairing channel (or it expired): show a new code on the new device.');
  }
  if (Number(channel.value.expiresAtMs) + PAIRING_CLOCK_SKEW_MS + graceMs <= now) {
    throw new ExpiredError('This pairing code has expired: show a new one on the new device.');
  }
  return channel;
}

/** ReplayError unless the channel is in `state` (a step taken twice, or out of order). */
export function requireState(channel: Channel, state: roomkey.v1.PairingState, step: string): void {
  if (channel.value.state === state) return;
  if (channel.value.state === v1.PairingState.PAIRING_STATE_CANCELLED) {
    throw new ReplayError('This pairing was cancelled: nothing was sent. Start again with a new code.');
  }
  throw new ReplayError(`This pairing channel was already used (${step}): a pairing code works once.`);
}

/** Writes the channel's next state if nobody moved it meanwhile; ReplayError if someone did. */
export async function advance(
  channels: ChannelStore,
  channelId: Uint8Array,
  channel: Channel,
  next: Partial<roomkey.v1.PairingChannel.$Properties>,
): Promise<void> {
  try {
    await channels.update(channelKey(channelId), { ...channel.value, ...next }, channel.revision, 'raced');
  } catch (error) {
    if (error instanceof ConflictError) {
      throw new ReplayError(
        'This pairing channel was used at the same moment by another request: it works once.',
      );
    }
    throw error;
  }
}
