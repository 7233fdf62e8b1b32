/**
 * A Directory held in memory that verifies everything put into it: identities are self-signed,
 * device certificates are signed by their user's identity key. Used as the client's cache of the
 * gateway's directory, by bots, and by tests.
 * @example const dir = new MemoryDirectory(); await dir.addIdentity(signedIdentity); await dir.addDevice(signedCert, Date.now());
 */
import type { roomkey } from '../../proto/index.ts';
import { toHex } from '../bytes.ts';
import {
  type DeviceCertificate,
  type UserIdentity,
  verifyDeviceCertificate,
  verifyUserIdentity,
} from '../crypto/index.ts';
import { NotFoundError } from '../errors.ts';
import type { Directory } from './types.ts';

export class MemoryDirectory implements Directory {
  readonly #identities = new Map<string, UserIdentity>();
  readonly #devices = new Map<string, DeviceCertificate>();
  /** Device key (hex) → when it was revoked (ms). */
  readonly #revokedAt = new Map<string, number>();

  /** Verifies and records a self-signed identity; returns it. */
  async addIdentity(signed: roomkey.v1.ISigned | Uint8Array): Promise<UserIdentity> {
    const identity = await verifyUserIdentity(signed);
    this.#identities.set(identity.userId, identity);
    return identity;
  }

  /** Verifies a device certificate against its user's recorded identity, at `nowMs`. */
  async addDevice(
    signed: roomkey.v1.ISigned | Uint8Array,
    userId: string,
    nowMs: number,
  ): Promise<DeviceCertificate> {
    const identity = await this.identity(userId);
    const certificate = await verifyDeviceCertificate(signed, identity, nowMs);
    this.#devices.set(toHex(certificate.deviceKey), certificate);
    return certificate;
  }

  /**
   * Without `atMs`, forgets a device: everything it signed fails the certificate check. With
   * `atMs`, records when it was revoked: what was stored before then stays valid (`device(key, atMs)`).
   */
  revokeDevice(deviceKey: Uint8Array, atMs?: number): void {
    if (atMs === undefined) this.#devices.delete(toHex(deviceKey));
    else this.#revokedAt.set(toHex(deviceKey), atMs);
  }

  async identity(userId: string): Promise<UserIdentity> {
    const identity = this.#identities.get(userId);
    if (!identity)
      throw new NotFoundError(`No identity is known for user ${userId}: look it up in the directory first.`);
    return identity;
  }

  async device(deviceKey: Uint8Array, atMs?: number): Promise<DeviceCertificate | undefined> {
    const revokedAt = this.#revokedAt.get(toHex(deviceKey));
    if (revokedAt !== undefined && (atMs === undefined || atMs >= revokedAt)) return undefined;
    return this.#devices.get(toHex(deviceKey));
  }
}
