// The room state machine end to end, without a network: what one client spends per message
// (directory lookup, membership, signature, replay, AEAD, padding) on top of the raw primitives.
import { ceilingFigures } from './_ceiling-figures.ts';
import { rotationFigures } from './_rotation-figures.ts';
import { twoMemberRoom } from './_two-member-room.ts';

type Report = (name: string, value: number, unit: string) => void;

export async function bench(report: Report): Promise<void> {
  const { room, bobs } = await twoMemberRoom();
  const text = 'x'.repeat(1000);

  const count = 2000;
  let started = performance.now();
  const envelopes: Uint8Array[] = [];
  for (let i = 0; i < count; i++) envelopes.push((await room.encrypt(text, { nowMs: Date.now() })).envelope);
  report('room.encrypt.1kb', count / ((performance.now() - started) / 1000), 'msgs/s');

  started = performance.now();
  for (const envelope of envelopes.slice(0, count / 2)) await bobs.receive(envelope);
  report('room.receive.1kb', count / 2 / ((performance.now() - started) / 1000), 'msgs/s');

  started = performance.now();
  const results = await bobs.receiveMany(envelopes.slice(count / 2));
  report('room.receiveMany.1kb', results.length / ((performance.now() - started) / 1000), 'msgs/s');
  if (results.some((r) => r instanceof Error)) throw new Error('bench: a message failed to open');

  started = performance.now();
  const rotations = 20;
  for (let i = 0; i < rotations; i++) await room.applyCommit(await room.rotate({ nowMs: Date.now() }));
  report('room.rotate.2-members', rotations / ((performance.now() - started) / 1000), 'commits/s');

  await ceilingFigures(report);
  await rotationFigures(report);
}
