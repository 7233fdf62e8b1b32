// Test users: real keys, a self-signed identity and a certified device, registered in a directory.
import {
  createDeviceKey,
  createUserKeys,
  type SignedProps,
  signDeviceCertificate,
  signUserIdentity,
} from '../../core/crypto/index.ts';
import type { LocalMember, MemoryDirectory } from '../../core/room/index.ts';

export interface TestUser {
  me: LocalMember;
  identity: SignedProps;
  certificate: SignedProps;
}

export async function makeUser(
  userId: string,
  directory: MemoryDirectory,
  nowMs = Date.now(),
): Promise<TestUser> {
  const userKeys = await createUserKeys();
  const device = createDeviceKey();
  const identity = await signUserIdentity(userKeys, { userId, username: userId, createdAtMs: nowMs });
  const certificate = await signDeviceCertificate(userKeys, {
    userId,
    deviceKey: device.publicKey,
    deviceName: `${userId}'s test device`,
    issuedAtMs: nowMs,
  });
  await directory.addIdentity(identity);
  await directory.addDevice(certificate, userId, nowMs);
  return { me: { userId, userKeys, device }, identity, certificate };
}
