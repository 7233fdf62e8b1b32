/**
 * What follows a stored membership change, in this order: (1) the room index in KV (so every JWT
 * issued from now on reflects it), (2) removed users' devices: their current JWTs are cut off
 * (NATS closes their connections at once, jwt-cutoffs.ts) and their consumers on the room are
 * deleted, (3) added and removed users' devices are told to refresh their JWT and fetch commits.
 * @example await applyMembership(ctx, room, { added, removed });
 */
import type { GatewayContext } from './context.ts';
import { cutOffDevices } from './jwt-cutoffs.ts';
import { publishNotice, userDeviceNkeys } from './notifier.ts';
import type { UserDeviceReads } from './request-reads.ts';
import { deriveRoomRecord, type LoadedRoom } from './room-chain.ts';
import { addUserRooms, saveRoomRecord } from './room-records.ts';

/**
 * Runs the effects of a stored genesis or commit (see the top of this file).
 * @example await applyMembership(ctx, room, { added: ['u2'], removed: [] }, callerNkey);
 */
export async function applyMembership(
  ctx: GatewayContext,
  room: LoadedRoom,
  change: { added: readonly string[]; removed: readonly string[] },
  /** The device that made the change: it refreshes by itself, no notice needed. */
  exceptNkey?: string,
  /** Where whom to tell is read (a room creation shares the reads its checks made). */
  reads: UserDeviceReads = ctx.buckets,
): Promise<void> {
  const record = deriveRoomRecord(room);
  // Who to tell is read beside step (1); they are told only after it (below).
  const addedDevices = Promise.all(change.added.map((userId) => userDeviceNkeys(reads, userId)));
  addedDevices.catch(() => undefined); // awaited below; step (1) failing first must not leave it unheard
  await Promise.all([
    saveRoomRecord(ctx.buckets, record),
    addUserRooms(ctx.buckets, change.added, room.roomId),
  ]);
  const epoch = room.observer.epoch;
  const removedDevices = await Promise.all(
    change.removed.map(async (userId) => ({ userId, nkeys: await userDeviceNkeys(reads, userId) })),
  );
  for (const { userId, nkeys } of removedDevices) {
    await cutOffDevices({ cutoffs: ctx.buckets.cutoffs, publisher: ctx.publisher }, userId, nkeys);
  }
  await Promise.all(
    removedDevices.flatMap(({ nkeys }) =>
      nkeys.map((nkey) => ctx.streams.deleteDeviceConsumer(room.roomId, nkey)),
    ),
  );
  const others = (nkeys: string[]) => nkeys.filter((nkey) => nkey !== exceptNkey);
  for (const { nkeys } of removedDevices) {
    publishNotice(ctx.app, others(nkeys), { membership: { roomId: room.roomId, epoch, removed: true } });
  }
  let told = removedDevices.some(({ nkeys }) => others(nkeys).length > 0);
  for (const nkeys of await addedDevices) {
    publishNotice(ctx.app, others(nkeys), { membership: { roomId: room.roomId, epoch, removed: false } });
    told ||= others(nkeys).length > 0;
  }
  // A round trip only when something was published (a creator with one device: nothing to tell).
  if (told) await ctx.app.flush();
}
