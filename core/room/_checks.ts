// Checks shared by genesis, commits and envelopes of core/room.
import { equalBytes } from '../bytes.ts';
import { BadSignatureError, MalformedError } from '../errors.ts';
import type { Directory } from './types.ts';

/** Room ids appear in NATS subjects and JetStream stream names: lowercase hex, 32 characters. */
export const ROOM_ID_PATTERN = /^[0-9a-f]{32}$/;

export function checkRoomId(roomId: unknown): string {
  if (typeof roomId !== 'string' || !ROOM_ID_PATTERN.test(roomId)) {
    throw new MalformedError('room id: expected 32 lowercase hex characters');
  }
  return roomId;
}

/** The device that signed must hold a valid certificate of `userId`. */
export async function requireDeviceOf(
  directory: Directory,
  deviceKey: Uint8Array,
  userId: string,
  what: string,
  atMs?: number,
): Promise<void> {
  const certificate = await directory.device(deviceKey, atMs);
  if (!certificate) {
    throw new BadSignatureError(
      `${what}: signed by a device with no valid certificate (unknown or revoked).`,
    );
  }
  if (certificate.userId !== userId || !equalBytes(certificate.deviceKey, deviceKey)) {
    throw new BadSignatureError(`${what}: signed by a device of ${certificate.userId}, not of ${userId}.`);
  }
}

export function sortedUnique(ids: readonly string[], what: string): string[] {
  const sorted = [...ids].sort();
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i] === sorted[i - 1]) throw new MalformedError(`${what}: ${sorted[i]} listed twice`);
  }
  return sorted;
}
