/**
 * The key directory on rk.v1.gw.device.dir.*: signed identities and device certificates exactly as
 * their users signed them. Clients never take the gateway's word: they verify every signature
 * (the identity is self-signed, certificates are signed by the identity's key) and pin what they
 * saw (core/client/gateway-directory.ts). Only registered, unrevoked devices may ask.
 *   dir.user     { username }   → identity
 *   dir.identity { user_id }    → identity
 *   dir.devices  { user_id }    → identity + every device certificate (with revocation times)
 * Revocation times are this server's clock (handlers/revoke.ts): clients compare them with the time
 * JetStream stored a message, never with a time a device wrote.
 *   dir.device   { device_key } → the device's user identity + that one certificate
 */
import { toHex } from '../../core/bytes.ts';
import { decode, encode } from '../../core/codec.ts';
import { NotFoundError } from '../../core/errors.ts';
import { DIRECTORY_SUBJECTS, normalizeUsername } from '../../core/transport/index.ts';
import { type roomkey, v1 } from '../../proto/index.ts';
import { requireBytes, requireUserId, signedOf } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { usernameKey } from '../server-keys.ts';
import type { Call, Endpoint } from '../service.ts';

const MAX_REQUEST = 512;

async function identityOf(ctx: GatewayContext, userId: string): Promise<roomkey.v1.UserRecord> {
  const user = await ctx.buckets.users.get(userId);
  if (!user?.value.identity) throw new NotFoundError('No such user.');
  return user.value;
}

function deviceEntry(record: roomkey.v1.DeviceRecord): roomkey.v1.DirectoryDevice.$Properties {
  return {
    userId: record.userId,
    deviceCertificate: signedOf(record.deviceCertificate!),
    revokedAtMs: Number(record.revokedAtMs ?? 0),
  };
}

function endpoint(
  ctx: GatewayContext,
  subject: string,
  answer: (req: roomkey.v1.DirectoryRequest) => Promise<roomkey.v1.DirectoryResponse.$Properties>,
): Endpoint {
  return {
    subject,
    maxBytes: MAX_REQUEST,
    handle: async (data: Uint8Array, call: Call) => {
      const req = decode(v1.DirectoryRequest, data, 'directory request');
      await requireDevice(ctx, call.caller.user);
      return encode(v1.DirectoryResponse, await answer(req));
    },
  };
}

export function directoryEndpoints(ctx: GatewayContext): Endpoint[] {
  return [
    endpoint(ctx, DIRECTORY_SUBJECTS.user, async (req) => {
      const username = normalizeUsername(req.username);
      const credential = await ctx.buckets.credentials.get(usernameKey(ctx.keys, username));
      if (!credential) throw new NotFoundError(`No user is called "${username}".`);
      const user = await identityOf(ctx, credential.value.userId);
      return { identity: signedOf(user.identity!) };
    }),
    endpoint(ctx, DIRECTORY_SUBJECTS.identity, async (req) => {
      const user = await identityOf(ctx, requireUserId(req.userId));
      return { identity: signedOf(user.identity!) };
    }),
    endpoint(ctx, DIRECTORY_SUBJECTS.devices, async (req) => {
      const user = await identityOf(ctx, requireUserId(req.userId));
      const records = await Promise.all(
        (user.deviceKeys ?? []).map((key) => ctx.buckets.devices.get(toHex(key))),
      );
      return {
        identity: signedOf(user.identity!),
        devices: records.filter((r) => r !== undefined).map((r) => deviceEntry(r.value)),
      };
    }),
    endpoint(ctx, DIRECTORY_SUBJECTS.device, async (req) => {
      const key = requireBytes(req.deviceKey, 32, 32, 'device_key');
      const record = await ctx.buckets.devices.get(toHex(key));
      if (!record?.value.deviceCertificate) throw new NotFoundError('No such device.');
      const user = await identityOf(ctx, record.value.userId);
      return { identity: signedOf(user.identity!), devices: [deviceEntry(record.value)] };
    }),
  ];
}
