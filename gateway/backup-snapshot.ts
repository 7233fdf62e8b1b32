/**
 * One stream's snapshot over JetStream's own API (`$JS.API.STREAM.SNAPSHOT.<stream>`, nats-server
 * 2.9): the server streams its store files as an s2-compressed tar in chunks to an inbox, each
 * chunk with a reply subject we answer for flow control, and an empty message at the end. The
 * installed @nats-io/jetstream 3.4 has no snapshot call, so this speaks the protocol itself.
 * The bytes are opaque here: what the server wrote is what a restore sends back.
 * @example const { config, state } = await snapshotStream(nc, 'KV_rk_users', (chunk) => out.write(chunk));
 */
import { createInbox, type Msg, type NatsConnection } from '@nats-io/nats-core';
import { InternalError, UnavailableError } from '../core/errors.ts';

/** What the server says about the stream when the snapshot starts (its config and state). */
export interface SnapshotStart {
  config: Record<string, unknown> & { name: string };
  state: Record<string, unknown> & { messages: number; last_seq: number; first_seq: number };
}

export interface SnapshotOptions {
  /** Bytes per chunk the server sends (it caps this at its max payload). */
  chunkSize?: number;
  /** Give up when the server sends nothing for this long. */
  idleTimeoutMs?: number;
  requestTimeoutMs?: number;
}

const CHUNK_BYTES = 128 * 1024;

/**
 * Streams a snapshot of `stream` (no consumers: device cursors are remade by the next catch-up)
 * into `sink`, in order; resolves once the server's end-of-snapshot message arrived.
 * @example await snapshotStream(nc, 'RK_ROOMS_0', (c) => writeSync(fd, c));
 */
export async function snapshotStream(
  nc: NatsConnection,
  stream: string,
  sink: (chunk: Uint8Array) => void,
  options: SnapshotOptions = {},
): Promise<SnapshotStart> {
  const inbox = createInbox();
  let settle!: { resolve: () => void; reject: (e: Error) => void };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // An end reported while the request is still on its way is read below, not lost as unhandled.
  done.catch(() => undefined);
  const idleMs = options.idleTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const idle = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () =>
        settle.reject(
          new UnavailableError(
            `The snapshot of ${stream} stalled: nothing from the server for ${idleMs / 1000} s. Check the server's health and run the backup again.`,
            { service: 'jetstream' },
          ),
        ),
      idleMs,
    );
  };
  const sub = nc.subscribe(inbox, {
    callback: (error, msg: Msg) => {
      if (error) return settle.reject(error);
      idle();
      const status = msg.headers?.code ?? 0;
      if (status >= 300) {
        return settle.reject(
          new InternalError(
            `The server ended the snapshot of ${stream} with ${status} ${msg.headers?.description ?? ''}`.trim(),
          ),
        );
      }
      if (msg.data.length === 0) return settle.resolve();
      try {
        sink(msg.data);
      } catch (writeError) {
        return settle.reject(writeError as Error);
      }
      // The reply is the server's flow control: it sends more once we said we have this chunk.
      if (msg.reply) msg.respond();
    },
  });
  try {
    const request = {
      deliver_subject: inbox,
      no_consumers: true,
      chunk_size: options.chunkSize ?? CHUNK_BYTES,
    };
    const reply = await nc.request(`$JS.API.STREAM.SNAPSHOT.${stream}`, JSON.stringify(request), {
      timeout: options.requestTimeoutMs ?? 10_000,
    });
    const start = parseApiReply(reply.data, `snapshot ${stream}`) as Partial<SnapshotStart>;
    if (!start.config || !start.state)
      throw new InternalError(`The server's answer to the snapshot of ${stream} has no config or state.`);
    idle();
    await done;
    return start as SnapshotStart;
  } finally {
    clearTimeout(timer);
    sub.unsubscribe();
  }
}

/**
 * Decodes a JetStream API reply (JSON) and turns its `error` into a typed error that names `what`.
 * @example const info = parseApiReply(msg.data, 'restore KV_rk_users');
 */
export function parseApiReply(data: Uint8Array, what: string): Record<string, unknown> {
  let reply: unknown;
  try {
    reply = JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw new InternalError(`The server's answer to "${what}" is not JSON.`);
  }
  if (typeof reply !== 'object' || reply === null)
    throw new InternalError(`The server's answer to "${what}" is not an object.`);
  const error = (reply as { error?: { code?: number; description?: string } }).error;
  if (error)
    throw new InternalError(
      `The server refused to ${what}: ${error.description ?? 'no reason given'} (${error.code ?? '?'}).`,
    );
  return reply as Record<string, unknown>;
}
