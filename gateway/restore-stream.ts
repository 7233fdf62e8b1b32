/**
 * One stream's restore over JetStream's own API (`$JS.API.STREAM.RESTORE.<stream>`, nats-server
 * 2.9): the server answers with a subject to send the snapshot to; each chunk is a request the
 * server acknowledges, an empty request ends it, and the reply to that is the restored stream's
 * info. The server refuses a stream that exists; deciding whether to replace it is the caller's.
 * @example const info = await restoreStream(nc, { config, state }, chunks);
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { InternalError } from '../core/errors.ts';
import { parseApiReply, type SnapshotStart } from './backup-snapshot.ts';

export interface RestoredStream {
  config: { name: string };
  state: { messages: number; first_seq: number; last_seq: number };
}

/**
 * Sends the snapshot bytes in `chunks`, in order, and returns what the server restored.
 * @example await restoreStream(nc, entry, readChunks(file));
 */
export async function restoreStream(
  nc: NatsConnection,
  start: SnapshotStart,
  chunks: Iterable<Uint8Array>,
  options: { timeoutMs?: number; finishTimeoutMs?: number } = {},
): Promise<RestoredStream> {
  const name = start.config.name;
  const timeout = options.timeoutMs ?? 10_000;
  const opened = parseApiReply(
    (
      await nc.request(
        `$JS.API.STREAM.RESTORE.${name}`,
        JSON.stringify({ config: start.config, state: start.state }),
        {
          timeout,
        },
      )
    ).data,
    `restore ${name}`,
  );
  const target = opened['deliver_subject'];
  if (typeof target !== 'string' || target === '') {
    throw new InternalError(
      `The server's answer to "restore ${name}" names no subject to send the snapshot to.`,
    );
  }
  for (const chunk of chunks) {
    const ack = await nc.request(target, chunk, { timeout });
    if (ack.data.length > 0) parseApiReply(ack.data, `take the snapshot of ${name}`);
  }
  // The empty message ends the upload; the server unpacks and checks the store before it answers.
  const end = await nc.request(target, new Uint8Array(0), { timeout: options.finishTimeoutMs ?? 120_000 });
  const info = parseApiReply(end.data, `restore ${name}`) as Partial<RestoredStream>;
  if (!info.config || !info.state)
    throw new InternalError(`The server restored ${name} but did not say what it holds.`);
  return info as RestoredStream;
}
