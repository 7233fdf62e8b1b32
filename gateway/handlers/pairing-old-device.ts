/**
 * The OLD device's side of the pairing relay, on its device credential: say hello on a channel it
 * read from the new device's QR (binding the channel to this device and its user), send the
 * HPKE-sealed transfer once the user confirmed the code, or cancel (codes differ, or the user
 * changed their mind). The gateway checks who may take each step and stores ciphertext only.
 */
import { decode, encode } from '../../core/codec.ts';
import { verifyUserIdentity } from '../../core/crypto/index.ts';
import { ForbiddenError, MalformedError } from '../../core/errors.ts';
import { PAIRING_SUBJECTS } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import { requireBytes } from '../checks.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { throttleSubjects } from '../rate-limit.ts';
import type { Endpoint } from '../service.ts';
import { advance, type PairingDeps, requireChannel, requireState } from './pairing-channel.ts';

const S = v1.PairingState;
const MAX_TRANSFER_BYTES = 256 * 1024;

export function pairingHello(ctx: GatewayContext, deps: PairingDeps): Endpoint {
  return {
    subject: PAIRING_SUBJECTS.hello,
    maxBytes: 8 * 1024,
    handle: async (data, call) => {
      const req = decode(v1.PairingHelloRequest, data, 'pairing hello request');
      const subjects = throttleSubjects(call);
      await deps.helloLimiter.check(subjects);
      await deps.helloLimiter.recordAttempt(subjects);
      const caller = await requireDevice(ctx, call.caller.user);
      const channel = await requireChannel(deps.channels, req.channelId, ctx.now());
      requireState(channel, S.PAIRING_STATE_OPEN, 'hello');
      const hello = decode(v1.PairingHello, requireBytes(req.hello, 1, 4096, 'hello'), 'pairing hello');
      const identity = await verifyUserIdentity(hello.identity ?? {});
      if (identity.userId !== caller.userId) {
        throw new ForbiddenError('The hello names another user than the device that sends it.');
      }
      await advance(deps.channels, req.channelId, channel, {
        state: S.PAIRING_STATE_HELLO,
        hello: req.hello,
        helperNkey: call.caller.user,
        userId: caller.userId,
      });
      return encode(v1.PairingEmpty, {});
    },
  };
}

export function pairingSend(ctx: GatewayContext, deps: PairingDeps): Endpoint {
  return {
    subject: PAIRING_SUBJECTS.send,
    maxBytes: MAX_TRANSFER_BYTES + 1024,
    handle: async (data, call) => {
      const req = decode(v1.PairingSendRequest, data, 'pairing send request');
      await requireDevice(ctx, call.caller.user);
      const channel = await requireChannel(deps.channels, req.channelId, ctx.now());
      if (channel.value.helperNkey !== call.caller.user) {
        throw new ForbiddenError('Only the device that read this pairing code may send on it.');
      }
      requireState(channel, S.PAIRING_STATE_HELLO, 'send');
      if (!req.transfer) throw new MalformedError('transfer: missing');
      const transfer = {
        enc: requireBytes(req.transfer.enc, 32, 32, 'transfer enc'),
        ciphertext: requireBytes(req.transfer.ciphertext, 16, MAX_TRANSFER_BYTES, 'transfer ciphertext'),
      };
      await advance(deps.channels, req.channelId, channel, { state: S.PAIRING_STATE_SENT, transfer });
      return encode(v1.PairingEmpty, {});
    },
  };
}

export function pairingCancelOld(ctx: GatewayContext, deps: PairingDeps): Endpoint {
  return {
    subject: PAIRING_SUBJECTS.cancel,
    maxBytes: 1024,
    handle: async (data, call) => {
      const req = decode(v1.PairingCancelRequest, data, 'pairing cancel request');
      await requireDevice(ctx, call.caller.user);
      const channel = await requireChannel(deps.channels, req.channelId, ctx.now());
      if (channel.value.helperNkey !== call.caller.user) {
        throw new ForbiddenError('Only the device that read this pairing code may cancel it here.');
      }
      if (channel.value.state === S.PAIRING_STATE_CANCELLED) return encode(v1.PairingEmpty, {});
      requireState(channel, S.PAIRING_STATE_HELLO, 'cancel');
      await advance(deps.channels, req.channelId, channel, { state: S.PAIRING_STATE_CANCELLED });
      return encode(v1.PairingEmpty, {});
    },
  };
}
