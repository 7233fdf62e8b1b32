// What a compromised (or careless) gateway can do to a user's keys: serve another self-signed
// identity under the same user id and username, written into rk_users sealed with the server
// secret exactly as the gateway stores it. Clients that pinned the old key must refuse it and warn.
import type { KV } from '@nats-io/kv';
import { fromHex, toHex } from '../../core/bytes.ts';
import { createUserKeys, signUserIdentity, type UserKeys } from '../../core/crypto/index.ts';
import { BUCKETS } from '../../gateway/buckets.ts';
import { SealedKv } from '../../gateway/sealed-kv.ts';
import { deriveServerKeys } from '../../gateway/server-keys.ts';
import { v1 } from '../../proto/index.ts';

/**
 * Replaces `userId`'s identity with new keys (same id and username), sealed with the deployment's
 * server secret (hex, from its secrets file); returns the new keys.
 */
export async function swapUserKeys(kv: KV, serverSecretHex: string, userId: string): Promise<UserKeys> {
  const users = new SealedKv(
    kv,
    BUCKETS.users,
    deriveServerKeys(fromHex(serverSecretHex)).kvRecords,
    v1.UserRecord,
  );
  const record = await users.get(userId);
  if (!record?.value.identity) throw new Error(`no user ${userId} in ${BUCKETS.users}`);
  const old = v1.UserIdentityBody.decode(record.value.identity.body as Uint8Array);
  const keys = await createUserKeys();
  const identity = await signUserIdentity(keys, { userId, username: old.username, createdAtMs: Date.now() });
  await users.update(userId, { ...record.value, identity }, record.revision, 'raced');
  if (toHex(keys.signingPublicKey) === toHex(old.signingKey as Uint8Array)) throw new Error('same key');
  return keys;
}

/** The user id whose identity carries `username` (a scan of rk_users, for tests that know only names). */
export async function userIdByName(kv: KV, serverSecretHex: string, username: string): Promise<string> {
  const users = new SealedKv(
    kv,
    BUCKETS.users,
    deriveServerKeys(fromHex(serverSecretHex)).kvRecords,
    v1.UserRecord,
  );
  for await (const key of await kv.keys()) {
    const body = (await users.get(key))?.value.identity?.body;
    if (body && v1.UserIdentityBody.decode(body as Uint8Array).username === username) return key;
  }
  throw new Error(`no user called ${username} in ${BUCKETS.users}`);
}
