/**
 * A new device's second step after a certificate-less login: it restored the user keys from the
 * identity backup, made its own device key and had the user key certify it; the enroll token
 * (single use, minutes) proves the password login. Reply: the device's first JWT, sealed.
 */
import { decode, encode } from '../../core/codec.ts';
import { InternalError } from '../../core/errors.ts';
import { LOGIN_SUBJECTS } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import { checkDeviceCertificate, storedIdentity, takeReplyKey } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { issueForDevice } from '../device-session.ts';
import { registerDevice } from '../devices.ts';
import { consumeEnrollToken } from '../enroll-token.ts';
import type { Endpoint } from '../service.ts';

export function enrollDevice(ctx: GatewayContext): Endpoint {
  return {
    subject: LOGIN_SUBJECTS.deviceEnroll,
    maxBytes: 8 * 1024,
    handle: async (data, call) => {
      const req = decode(v1.EnrollDeviceRequest, data, 'enroll device request');
      takeReplyKey(call, req.replyKey);
      const now = ctx.now();
      const userId = await consumeEnrollToken(ctx.keys, ctx.buckets.loginHandles, req.enrollToken, now);
      const user = await ctx.buckets.users.get(userId);
      if (!user) throw new InternalError('user record missing for a valid enroll token');
      const device = await checkDeviceCertificate(req.deviceCertificate, storedIdentity(user.value), now);
      await registerDevice(ctx, userId, device, req.deviceCertificate!);
      const { jwt, expiresAtMs } = await issueForDevice(ctx, userId, device.deviceKey);
      return encode(v1.RefreshResponse, { userJwt: jwt, expiresAtMs });
    },
  };
}
