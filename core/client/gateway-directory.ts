/**
 * core/room's Directory backed by the gateway's directory API, trusting nothing it says: every
 * identity must be self-signed (and carry the user id or username asked for), every certificate
 * must be signed by that identity's key, and what was seen once is pinned — a different key for a
 * known user or username later is a BadSignatureError, not a silent switch: the change is recorded
 * (`keyChanges`, `onKeyChange`) so the person can review it, and only `acceptKeyChange` moves the
 * pin (contacts.ts keeps the record and the verification state). Answers are cached
 * (revocation state for a few minutes). The gateway could still hide a revocation or answer
 * "unknown"; it cannot forge a key. Revocation times are the gateway's clock; core/room asks with
 * `atMs` = when JetStream stored the message (and its epoch opened), never the sender's sent-at.
 * @example const directory = new GatewayDirectory(() => link.nc); const bob = await directory.lookup('bob');
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { equalBytes, toHex } from '../bytes.ts';
import {
  type DeviceCertificate,
  type UserIdentity,
  verifyDeviceCertificate,
  verifyUserIdentity,
} from '../crypto/index.ts';
import { BadSignatureError, NotFoundError } from '../errors.ts';
import type { Directory } from '../room/index.ts';
import { normalizeUsername } from '../transport/username.ts';
import { directoryLookup } from './gateway-api.ts';

/** How long a device's revocation state is trusted before asking again. */
const DEVICE_TTL_MS = 5 * 60_000;
/** How long "no such device" is remembered. */
const MISSING_TTL_MS = 10_000;

/** What the directory pinned: user id → signing key (hex), username → user id. */
export interface DirectoryPins {
  users: Record<string, string>;
  usernames: Record<string, string>;
}

/**
 * A known user's identity came back with another signing key: refused until the person accepts it.
 * @example directory.onKeyChange = (change) => warn(`${change.username}'s key changed`);
 */
export interface KeyChange {
  userId: string;
  /** The username of the new identity (self-signed, so it is who the new key claims to be). */
  username: string;
  /** The pinned signing key (hex). */
  previousKey: string;
  /** The new identity, verified (self-signed) but not trusted. */
  identity: UserIdentity;
}

interface DeviceEntry {
  certificate: DeviceCertificate | undefined;
  revokedAtMs: number;
  fetchedAt: number;
}

/**
 * Directory over the gateway that verifies and pins everything it returns.
 * @example const bob = await new GatewayDirectory(() => nc).lookup('bob');
 */
export class GatewayDirectory implements Directory {
  readonly #nc: () => NatsConnection;
  readonly #now: () => number;
  readonly #identities = new Map<string, Promise<UserIdentity>>();
  readonly #devices = new Map<string, DeviceEntry>();
  readonly #pins: DirectoryPins;
  readonly #changes = new Map<string, KeyChange>();
  /** Called when a new pin was recorded (persist it). */
  onPinned?: (pins: DirectoryPins) => void;
  /** Called when a pinned user's identity came back with another key (refused meanwhile). */
  onKeyChange?: (change: KeyChange) => void;

  constructor(nc: () => NatsConnection, options: { pins?: DirectoryPins; now?: () => number } = {}) {
    this.#nc = nc;
    this.#now = options.now ?? Date.now;
    this.#pins = options.pins ?? { users: {}, usernames: {} };
  }

  get pins(): DirectoryPins {
    return this.#pins;
  }

  /** Adds an identity this device already trusts (its own), verifying it. */
  async trust(signed: Parameters<typeof verifyUserIdentity>[0]): Promise<UserIdentity> {
    const identity = await this.#pin(await verifyUserIdentity(signed));
    this.#identities.set(identity.userId, Promise.resolve(identity));
    return identity;
  }

  /** Adds a device certificate this device already trusts (its own). */
  async trustDevice(signed: Parameters<typeof verifyDeviceCertificate>[0], userId: string): Promise<void> {
    const certificate = await verifyDeviceCertificate(signed, await this.identity(userId), this.#now());
    this.#devices.set(toHex(certificate.deviceKey), { certificate, revokedAtMs: 0, fetchedAt: Infinity });
  }

  identity(userId: string): Promise<UserIdentity> {
    let hit = this.#identities.get(userId);
    if (!hit) {
      hit = (async () => {
        const res = await directoryLookup(this.#nc(), 'identity', { userId });
        if (!res.identity) throw new NotFoundError(`No identity for user ${userId}.`);
        return this.#pin(await verifyUserIdentity(res.identity, { expectedUserId: userId }));
      })();
      hit.catch(() => this.#identities.delete(userId));
      this.#identities.set(userId, hit);
    }
    return hit;
  }

  /**
   * Asks the gateway for `userId`'s identity again (not the cache): a key change is found now,
   * recorded and thrown (BadSignatureError).
   * @example await directory.refresh(bobId).catch(() => undefined); directory.keyChanges();
   */
  refresh(userId: string): Promise<UserIdentity> {
    if (this.#identities.has(userId)) this.#identities.delete(userId);
    return this.identity(userId);
  }

  /** The key changes seen and not accepted yet. */
  keyChanges(): KeyChange[] {
    return [...this.#changes.values()];
  }

  /**
   * The person reviewed `userId`'s new key and accepts it: it becomes the pin (the identity the
   * change recorded, and only that one: `signingKeyHex` must name it). NotFoundError when no such
   * change is pending.
   * @example await directory.acceptKeyChange(change.userId, toHex(change.identity.signingKey));
   */
  acceptKeyChange(userId: string, signingKeyHex: string): UserIdentity {
    const change = this.#changes.get(userId);
    if (!change || toHex(change.identity.signingKey) !== signingKeyHex) {
      throw new NotFoundError(
        'That key change is no longer pending (it was accepted, or the key changed again): review it again.',
      );
    }
    this.#changes.delete(userId);
    this.#pins.users[userId] = signingKeyHex;
    this.#pins.usernames[change.identity.username] = userId;
    this.onPinned?.(this.#pins);
    this.#identities.set(userId, Promise.resolve(change.identity));
    // Certificates (and "no such device" answers) judged against the old key are asked again.
    this.#devices.clear();
    return change.identity;
  }

  /** A user by username: the identity must be self-signed and carry exactly that username. */
  async lookup(username: string): Promise<UserIdentity> {
    const name = normalizeUsername(username);
    const res = await directoryLookup(this.#nc(), 'user', { username: name });
    if (!res.identity) throw new NotFoundError(`No user is called "${name}".`);
    const identity = await verifyUserIdentity(res.identity);
    if (identity.username !== name) {
      throw new BadSignatureError(
        `The directory answered "${name}" with the identity of "${identity.username}".`,
      );
    }
    const pinned = this.#pins.usernames[name];
    if (pinned !== undefined && pinned !== identity.userId) {
      throw new BadSignatureError(
        `The username "${name}" belonged to another key before: refusing the new one (ask ${name} to confirm).`,
      );
    }
    await this.#pin(identity);
    this.#identities.set(identity.userId, Promise.resolve(identity));
    return identity;
  }

  async device(deviceKey: Uint8Array, atMs?: number): Promise<DeviceCertificate | undefined> {
    const key = toHex(deviceKey);
    let entry = this.#devices.get(key);
    const age = entry ? this.#now() - entry.fetchedAt : Infinity;
    if (!entry || age > (entry.certificate ? DEVICE_TTL_MS : MISSING_TTL_MS)) {
      entry = await this.#fetchDevice(deviceKey);
      this.#devices.set(key, entry);
    }
    const { certificate, revokedAtMs } = entry;
    if (!certificate) return undefined;
    if (revokedAtMs > 0 && (atMs === undefined || atMs >= revokedAtMs)) return undefined;
    if (certificate.expiresAtMs !== 0 && (atMs ?? this.#now()) >= certificate.expiresAtMs) return undefined;
    return certificate;
  }

  async #fetchDevice(deviceKey: Uint8Array): Promise<DeviceEntry> {
    const fetchedAt = this.#now();
    let res: Awaited<ReturnType<typeof directoryLookup>>;
    try {
      res = await directoryLookup(this.#nc(), 'device', { deviceKey });
    } catch (error) {
      if (error instanceof NotFoundError) return { certificate: undefined, revokedAtMs: 0, fetchedAt };
      throw error;
    }
    const entry = res.devices[0];
    if (!res.identity || !entry?.deviceCertificate)
      return { certificate: undefined, revokedAtMs: 0, fetchedAt };
    const identity = await this.#pin(
      await verifyUserIdentity(res.identity, { expectedUserId: entry.userId ?? '' }),
    );
    // Expiry is judged per use (atMs); verify the signature as of issue.
    const certificate = await verifyDeviceCertificate(entry.deviceCertificate, identity, 0);
    if (!equalBytes(certificate.deviceKey, deviceKey)) {
      throw new BadSignatureError('The directory answered with the certificate of another device.');
    }
    return { certificate, revokedAtMs: Number(entry.revokedAtMs ?? 0), fetchedAt };
  }

  async #pin(identity: UserIdentity): Promise<UserIdentity> {
    const key = toHex(identity.signingKey);
    const known = this.#pins.users[identity.userId];
    if (known !== undefined && known !== key) {
      const change = { userId: identity.userId, username: identity.username, previousKey: known, identity };
      const before = this.#changes.get(identity.userId);
      this.#changes.set(identity.userId, change);
      if (!before || toHex(before.identity.signingKey) !== key) this.onKeyChange?.(change);
      throw new BadSignatureError(
        `The safety number of ${identity.username} changed (their identity key is not the one this device knew): nothing from the new key is accepted until you review the change and accept it, or verify ${identity.username} again.`,
      );
    }
    if (known === undefined) {
      this.#pins.users[identity.userId] = key;
      this.#pins.usernames[identity.username] = identity.userId;
      this.onPinned?.(this.#pins);
    }
    return identity;
  }
}
