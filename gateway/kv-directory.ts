/**
 * core/room's Directory over the gateway's KV: identities and device certificates are verified
 * again on read (they were verified before they were stored; this costs little and means a KV
 * edit cannot slip a forged key into a room's chain). One instance per cached room (room-chain.ts):
 * it remembers verified identities and device certificates, with their revocation times, for as
 * long as the room stays cached, so a device revoked since then is not seen as revoked here; what
 * must know (room-commit, through `requireDevice`) checks the caller's device in KV on every request.
 * `atMs` semantics (core/room types.ts): a device revoked after `atMs` still vouches for what it
 * signed before, so a room whose creator later revoked a device stays verifiable.
 * @example const observer = await Room.observe(genesis, new KvDirectory(ctx.buckets, ctx.now));
 */
import { toHex } from '../core/bytes.ts';
import { encode } from '../core/codec.ts';
import {
  type DeviceCertificate,
  type UserIdentity,
  verifyDeviceCertificate,
  verifyUserIdentity,
} from '../core/crypto/index.ts';
import { NotFoundError, RoomKeyError } from '../core/errors.ts';
import type { Directory } from '../core/room/index.ts';
import { v1 } from '../proto/index.ts';
import type { UserDeviceReads } from './request-reads.ts';
import { verifiedOnce } from './verified-memo.ts';

/**
 * Directory over the gateway's KV (see the top of this file).
 * @example const directory = new KvDirectory(ctx.buckets, ctx.now);
 */
export class KvDirectory implements Directory {
  readonly #buckets: UserDeviceReads;
  readonly #now: () => number;
  readonly #identities = new Map<string, Promise<UserIdentity>>();
  readonly #devices = new Map<
    string,
    Promise<{ certificate: DeviceCertificate; revokedAtMs: number } | undefined>
  >();

  constructor(buckets: UserDeviceReads, now: () => number) {
    this.#buckets = buckets;
    this.#now = now;
  }

  identity(userId: string): Promise<UserIdentity> {
    let hit = this.#identities.get(userId);
    if (!hit) {
      hit = (async () => {
        const record = await this.#buckets.users.get(userId);
        if (!record?.value.identity) throw new NotFoundError(`No user ${userId} is registered.`);
        const signed = record.value.identity;
        return verifiedOnce(`identity:${userId}`, encode(v1.Signed, signed), () =>
          verifyUserIdentity(signed, { expectedUserId: userId }),
        );
      })();
      // Only successes are remembered: a user who registers later must be found then.
      hit.catch(() => this.#identities.delete(userId));
      this.#identities.set(userId, hit);
    }
    return hit;
  }

  async device(deviceKey: Uint8Array, atMs?: number): Promise<DeviceCertificate | undefined> {
    const known = await this.record(deviceKey);
    if (!known) return undefined;
    if (known.revokedAtMs > 0 && (atMs === undefined || atMs >= known.revokedAtMs)) return undefined;
    const expires = known.certificate.expiresAtMs;
    if (expires !== 0 && (atMs ?? this.#now()) >= expires) return undefined;
    return known.certificate;
  }

  /** The stored, verified certificate and its revocation time (0 = active). */
  record(
    deviceKey: Uint8Array,
  ): Promise<{ certificate: DeviceCertificate; revokedAtMs: number } | undefined> {
    const key = toHex(deviceKey);
    let hit = this.#devices.get(key);
    if (!hit) {
      hit = (async () => {
        const record = await this.#buckets.devices.get(key);
        if (!record?.value.deviceCertificate) return undefined;
        try {
          const identity = await this.identity(record.value.userId);
          // Expiry is judged by device(); verify with the issue time so an expired one still parses.
          const signed = record.value.deviceCertificate!;
          const under = `certificate:${identity.userId}:${toHex(identity.signingKey)}`;
          const certificate = await verifiedOnce(under, encode(v1.Signed, signed), () =>
            verifyDeviceCertificate(signed, identity, 0),
          );
          return { certificate, revokedAtMs: Number(record.value.revokedAtMs ?? 0) };
        } catch (error) {
          if (error instanceof RoomKeyError) return undefined;
          throw error;
        }
      })();
      this.#devices.set(key, hit);
      // Unknown devices are not remembered: a device registered later must be found then.
      void hit.then(
        (found) => found === undefined && this.#devices.delete(key),
        () => this.#devices.delete(key),
      );
    }
    return hit;
  }
}
