/**
 * The NEW device's side of the pairing relay, on the login credential (it has no account yet):
 * open a channel for its offer, poll it, cancel it, and finish — register its device key, certified
 * by the user key inside the transfer, and get its first JWT. Every request is proved with the
 * offer's device key, and every reply is sealed with the request's reply key (other holders of the
 * login credential share the inbox prefix). The gateway never sees anything it could open.
 */
import { equalBytes, u64be } from '../../core/bytes.ts';
import { decode, encode } from '../../core/codec.ts';
import {
  LABEL_PAIRING_CANCEL,
  LABEL_PAIRING_FINISH,
  LABEL_PAIRING_OPEN,
  LABEL_PAIRING_POLL,
  PAIRING_CLOCK_SKEW_MS,
  parsePairingOfferBytes,
  requireFreshOffer,
} from '../../core/crypto/index.ts';
import {
  BadSignatureError,
  ConflictError,
  ExpiredError,
  ForbiddenError,
  InternalError,
  ReplayError,
} from '../../core/errors.ts';
import { PAIRING_SUBJECTS } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import { checkDeviceCertificate, storedIdentity, takeReplyKey } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { issueForDevice } from '../device-session.ts';
import { registerDevice } from '../devices.ts';
import { verifyProof } from '../proofs.ts';
import { throttleSubjects } from '../rate-limit.ts';
import type { Endpoint } from '../service.ts';
import {
  advance,
  type Channel,
  channelKey,
  type PairingDeps,
  requireChannel,
  requireState,
} from './pairing-channel.ts';

const S = v1.PairingState;
/** The new device may still finish this long after the offer's expiry (the user confirmed late). */
const FINISH_GRACE_MS = 60_000;

export function pairingOpen(ctx: GatewayContext, deps: PairingDeps): Endpoint {
  return {
    subject: PAIRING_SUBJECTS.open,
    maxBytes: 1024,
    handle: async (data, call) => {
      const req = decode(v1.PairingOpenRequest, data, 'pairing open request');
      takeReplyKey(call, req.replyKey);
      const subjects = throttleSubjects(call);
      await deps.openLimiter.check(subjects);
      await deps.openLimiter.recordAttempt(subjects);
      const offer = parsePairingOfferBytes(req.offer);
      requireFreshOffer(offer, ctx.now());
      if (!(await verifyProof(LABEL_PAIRING_OPEN, req.proof, offer.deviceKey, offer.bytes, req.replyKey))) {
        throw new BadSignatureError('pairing open proof does not verify under the offer’s device key');
      }
      try {
        await deps.channels.create(
          channelKey(offer.channelId),
          { offer: offer.bytes, state: S.PAIRING_STATE_OPEN, expiresAtMs: offer.expiresAtMs },
          'exists',
        );
      } catch (error) {
        if (error instanceof ConflictError) {
          throw new ReplayError('This pairing channel was opened before: a pairing code works once.');
        }
        throw error;
      }
      return encode(v1.PairingEmpty, {});
    },
  };
}

/** The channel of a new-device request, proved by the offer's device key over `parts`. */
async function provenChannel(
  ctx: GatewayContext,
  deps: PairingDeps,
  channelId: Uint8Array,
  label: string,
  proof: unknown,
  parts: Uint8Array[],
  graceMs = 0,
): Promise<Channel> {
  const channel = await requireChannel(deps.channels, channelId, ctx.now(), graceMs);
  const offer = parsePairingOfferBytes(channel.value.offer);
  if (!(await verifyProof(label, proof, offer.deviceKey, ...parts))) {
    throw new BadSignatureError('pairing proof does not verify under the offer’s device key');
  }
  return channel;
}

export function pairingPoll(ctx: GatewayContext, deps: PairingDeps): Endpoint {
  return {
    subject: PAIRING_SUBJECTS.poll,
    maxBytes: 1024,
    handle: async (data, call) => {
      const req = decode(v1.PairingPollRequest, data, 'pairing poll request');
      takeReplyKey(call, req.replyKey);
      const at = Number(req.requestedAtMs);
      if (!Number.isSafeInteger(at) || Math.abs(ctx.now() - at) > PAIRING_CLOCK_SKEW_MS) {
        throw new ExpiredError('pairing poll proof is too old or from the future: check the device clock');
      }
      const channel = await provenChannel(
        ctx,
        deps,
        req.channelId,
        LABEL_PAIRING_POLL,
        req.proof,
        [req.channelId, u64be(at), req.replyKey],
        FINISH_GRACE_MS,
      );
      const c = channel.value;
      return encode(v1.PairingPollResponse, {
        state: c.state,
        ...(c.hello?.length ? { hello: c.hello } : {}),
        ...(c.transfer ? { transfer: c.transfer } : {}),
      });
    },
  };
}

export function pairingCancelNew(ctx: GatewayContext, deps: PairingDeps): Endpoint {
  return {
    subject: PAIRING_SUBJECTS.cancelNew,
    maxBytes: 1024,
    handle: async (data, call) => {
      const req = decode(v1.PairingCancelRequest, data, 'pairing cancel request');
      takeReplyKey(call, req.replyKey);
      const channel = await provenChannel(ctx, deps, req.channelId, LABEL_PAIRING_CANCEL, req.proof, [
        req.channelId,
        req.replyKey,
      ]);
      if (channel.value.state === S.PAIRING_STATE_DONE) requireState(channel, S.PAIRING_STATE_OPEN, 'cancel');
      if (channel.value.state !== S.PAIRING_STATE_CANCELLED) {
        // What was relayed goes with it: a cancelled transfer is never delivered.
        await advance(deps.channels, req.channelId, channel, {
          state: S.PAIRING_STATE_CANCELLED,
          transfer: null,
        });
      }
      return encode(v1.PairingEmpty, {});
    },
  };
}

export function pairingFinish(ctx: GatewayContext, deps: PairingDeps): Endpoint {
  return {
    subject: PAIRING_SUBJECTS.finish,
    maxBytes: 8 * 1024,
    handle: async (data, call) => {
      const req = decode(v1.PairingFinishRequest, data, 'pairing finish request');
      takeReplyKey(call, req.replyKey);
      const channel = await provenChannel(
        ctx,
        deps,
        req.channelId,
        LABEL_PAIRING_FINISH,
        req.proof,
        [req.channelId, req.replyKey],
        FINISH_GRACE_MS,
      );
      requireState(channel, S.PAIRING_STATE_SENT, 'finish');
      const offer = parsePairingOfferBytes(channel.value.offer);
      const userId = channel.value.userId ?? '';
      const user = await ctx.buckets.users.get(userId);
      if (!user) throw new InternalError('user record missing for a pairing channel');
      const now = ctx.now();
      const device = await checkDeviceCertificate(req.deviceCertificate, storedIdentity(user.value), now);
      if (!equalBytes(device.deviceKey, offer.deviceKey)) {
        throw new ForbiddenError('The certificate is for another device key than the pairing offer’s.');
      }
      // The step first (a channel finishes once), then the registration it allows.
      await advance(deps.channels, req.channelId, channel, { state: S.PAIRING_STATE_DONE, transfer: null });
      await registerDevice(ctx, userId, device, req.deviceCertificate!);
      const { jwt, expiresAtMs } = await issueForDevice(ctx, userId, device.deviceKey);
      return encode(v1.RefreshResponse, { userJwt: jwt, expiresAtMs });
    },
  };
}
