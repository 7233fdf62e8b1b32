/**
 * A fresh room id: 16 random bytes as 32 lowercase hex characters (safe in NATS subjects and
 * JetStream stream names, and the same on case-insensitive file systems).
 * @example const roomId = newRoomId();
 */
import { toHex } from '../bytes.ts';
import { randomBytes } from '../crypto/index.ts';

export function newRoomId(): string {
  return toHex(randomBytes(16));
}
