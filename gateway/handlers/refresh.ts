/**
 * A fresh device JWT reflecting current state (rooms, revocation).
 * `refresh`: on the device's own connection. Who asks is known twice: NATS asserts the connection's
 * nkey, and the request carries a fresh signature by the device key; both must name the same device.
 * `refreshOffline`: on the login credential, for a device whose JWT NATS no longer accepts (its user
 * was removed from a room, so its current JWTs were revoked): the proof also covers the reply key,
 * and the reply is sealed with it.
 */

import { equalBytes, toHex, u64be } from '../../core/bytes.ts';
import { decode, encode } from '../../core/codec.ts';
import { sha256 } from '../../core/crypto/index.ts';
import { BadSignatureError, ExpiredError, ForbiddenError } from '../../core/errors.ts';
import {
  DEVICE_SUBJECTS,
  LABEL_REFRESH,
  LABEL_REFRESH_OFFLINE,
  LOGIN_SUBJECTS,
  userNkey,
} from '../../core/transport/index.ts';
import { type roomkey, v1 } from '../../proto/index.ts';
import { requireBytes, takeReplyKey } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { issueForDevice } from '../device-session.ts';
import { verifyProof } from '../proofs.ts';
import { markUsedOnce } from '../sealed-kv.ts';
import type { Endpoint } from '../service.ts';

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
      const requestedAt = checkTime(ctx, req);
      if (!(await verifyProof(LABEL_REFRESH, req.proof, deviceKey, deviceKey, u64be(requestedAt)))) {
        throw new BadSignatureError('refresh proof does not verify under the device key');
      }
      const device = await requireDevice(ctx, call.caller.user);
      if (!equalBytes(device.deviceKey, deviceKey)) throw new ForbiddenError('device mismatch');
      const { jwt, expiresAtMs } = await issueForDevice(ctx, device.userId, deviceKey);
      return encode(v1.RefreshResponse, { userJwt: jwt, expiresAtMs });
    },
  };
}

export function refreshOffline(ctx: GatewayContext): Endpoint {
  return {
    subject: LOGIN_SUBJECTS.deviceRefresh,
    maxBytes: 1024,
    handle: async (data, call) => {
      const req = decode(v1.RefreshRequest, data, 'refresh request');
      takeReplyKey(call, req.replyKey);
      const deviceKey = requireBytes(req.deviceKey, 32, 32, 'device_key');
      const requestedAt = checkTime(ctx, req);
      const proofOk = await verifyProof(
        LABEL_REFRESH_OFFLINE,
        req.proof,
        deviceKey,
        deviceKey,
        u64be(requestedAt),
        req.replyKey,
      );
      if (!proofOk) throw new BadSignatureError('refresh proof does not verify under the device key');
      const device = await requireDevice(ctx, userNkey(deviceKey));
      // Single use: the same request sent again (within the proof window) is a replay.
      await markUsedOnce(
        ctx.buckets.loginHandles,
        `refresh.${toHex(sha256(req.proof).subarray(0, 16))}`,
        'This refresh request was already used.',
      );
      const { jwt, expiresAtMs } = await issueForDevice(ctx, device.userId, deviceKey);
      return encode(v1.RefreshResponse, { userJwt: jwt, expiresAtMs });
    },
  };
}

function checkTime(ctx: GatewayContext, req: roomkey.v1.RefreshRequest): number {
  const requestedAt = Number(req.requestedAtMs);
  if (!Number.isSafeInteger(requestedAt) || Math.abs(ctx.now() - requestedAt) > PROOF_WINDOW_MS) {
    throw new ExpiredError('refresh proof is too old or from the future: check the device clock');
  }
  return requestedAt;
}
