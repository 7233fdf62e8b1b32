/**
 * Every endpoint of the pairing relay (pairing-new-device.ts, pairing-old-device.ts) and the
 * devices' last-seen list, sharing one channel bucket and the pairing rate limiters.
 * @example endpoints.push(...pairingEndpoints(context, await openPairing(nc, options)));
 */
import type { GatewayContext } from '../context.ts';
import type { Endpoint } from '../service.ts';
import type { PairingDeps } from './pairing-channel.ts';
import { pairingCancelNew, pairingFinish, pairingOpen, pairingPoll } from './pairing-new-device.ts';
import { pairingCancelOld, pairingHello, pairingSend } from './pairing-old-device.ts';
import { deviceSeen } from './pairing-seen.ts';

export function pairingEndpoints(ctx: GatewayContext, deps: PairingDeps): Endpoint[] {
  return [
    ...[pairingOpen, pairingPoll, pairingCancelNew, pairingFinish].map((make) => make(ctx, deps)),
    ...[pairingHello, pairingSend, pairingCancelOld].map((make) => make(ctx, deps)),
    deviceSeen(ctx),
  ];
}
