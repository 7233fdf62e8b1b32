/**
 * marker.list: every read marker of the calling device's user (one per room), so a device that
 * comes back treats what was read elsewhere as data, not as notifications.
 */
import { encode } from '../../core/codec.ts';
import { MARKER_SUBJECTS } from '../../core/transport/index.ts';
import { v1 } from '../../proto/index.ts';
import type { GatewayContext } from '../context.ts';
import { requireDevice } from '../device-caller.ts';
import { listMarkers } from '../read-markers.ts';
import type { Endpoint } from '../service.ts';

/**
 * The marker.list endpoint (the request is empty).
 * @example markerList(ctx)
 */
export function markerList(ctx: GatewayContext): Endpoint {
  return {
    subject: MARKER_SUBJECTS.list,
    maxBytes: 64,
    handle: async (_data, call) => {
      const caller = await requireDevice(ctx, call.caller.user);
      return encode(v1.ReadMarkerList, { markers: await listMarkers(ctx.buckets.markers, caller.userId) });
    },
  };
}
