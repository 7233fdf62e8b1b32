/**
 * A fresh device JWT reflecting current state (rooms, revocation), asked for on the device's own
 * connection. Who asks is known twice: NATS asserts the connection's nkey, and the request carries
 * a fresh signature by the device key; both must name the same device.
 */

import { equalBytes, u64be } from '../../core/bytes.ts';
import { decode, encode } from '../../core/codec.ts';
import { BadSignatureError, ExpiredError, ForbiddenError } from '../../core/errors.ts';
import { userNkey } from '../../core/transport/nkey.ts';
import { DEVICE_SUBJECTS } from '../../core/transport/subjects.ts';
import { v1 } from '../../proto/index.ts';
import { requireBytes } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { issueForDevice } from '../device-session.ts';
import type { Endpoint } from '../service.ts';
import { LABEL_REFRESH, verifyLabeled } from '../verify-signed.ts';

/** How far a refresh proof's clock may be from the gateway's. */
export const PROOF_WINDOW_MS = 2 * 60_000;

export function refresh(ctx: GatewayContext): Endpoint {
  return {
    subject: DEVICE_SUBJECTS.refresh,
    maxBytes: 1024,
    handle: async (data, call) => {
      const req = decode(v1.RefreshRequest, data, 'refresh request');
      const deviceKey = requireBytes(req.deviceKey, 32, 32, 'device_key');
      if (userNkey(deviceKey) !== call.caller.user) {
        throw new ForbiddenError('device_key is not the key of this connection');
      }
      const requestedAt = Number(req.requestedAtMs);
      if (!Number.isSafeInteger(requestedAt) || Math.abs(ctx.now() - requestedAt) > PROOF_WINDOW_MS) {
        throw new ExpiredError('refresh proof is too old or from the future: check the device clock');
      }
      if (!verifyLabeled(LABEL_REFRESH, req.proof, deviceKey, deviceKey, u64be(requestedAt))) {
        throw new BadSignatureError('refresh proof does not verify under the device key');
      }
      const device = await requireDevice(ctx, call.caller.user);
      if (!equalBytes(device.deviceKey, deviceKey)) throw new ForbiddenError('device mismatch');
      const { jwt, expiresAtMs } = await issueForDevice(ctx, device.userId, deviceKey);
      return encode(v1.RefreshResponse, { userJwt: jwt, expiresAtMs });
    },
  };
}
