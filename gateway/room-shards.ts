/**
 * Makes a deployment's room shard streams at gateway start (idempotent; any number of gateways may
 * start at once) and keeps their count fixed: the count is chosen at `init` (roomkey.json
 * `roomShards`, default 16) and written into each stream's description, and a gateway whose count
 * disagrees with the streams that exist refuses to start. Changing it silently would send rooms'
 * new messages to another stream than their history.
 *
 * Per shard: file storage, the gateway's replicas, no age, count or size limit (room history is
 * kept, as before), discard new (if an operator adds a size limit, writes are refused, history is
 * never dropped), deny delete and purge, no direct get, no rollups, 1 MiB per message.
 * @example const layout = await ensureRoomShards(app, { shards: 16, replicas: 1, log });
 */
import {
  DiscardPolicy,
  type JetStreamManager,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ConflictError, RoomKeyError, UnavailableError } from '../core/errors.ts';
import { DEFAULT_ROOM_SHARDS, roomShardStreamName, StreamLayout } from '../core/transport/index.ts';
import { keepCreated, retryTransient } from './jetstream-retry.ts';
import { MAX_ROOM_MESSAGE_BYTES } from './room-streams.ts';

/**
 * Tries to read or create one shard stream: backoff from 250 ms doubling to 4 s, no new try after
 * 20 s. Enough for a cluster whose nodes are still joining or electing leaders (a node back from a
 * restart takes 5–10 s on this machine), short enough that a start that cannot work says so.
 */
const RETRY = { attempts: 12, budgetMs: 20_000, firstDelayMs: 250, maxDelayMs: 4000 };

export interface RoomShardOptions {
  /** The deployment's shard count; undefined: what the existing streams say, else 16. */
  shards?: number;
  replicas?: number;
  log?: (line: string) => void;
}

/**
 * Creates the missing shard streams and checks the existing ones; returns the layout in use.
 * ConflictError when the existing streams were made for another shard count or other subjects.
 * @example const layout = await ensureRoomShards(app, { shards: stack.public.roomShards });
 */
export async function ensureRoomShards(
  app: NatsConnection,
  options: RoomShardOptions = {},
): Promise<StreamLayout> {
  const replicas = options.replicas ?? 1;
  const name0 = roomShardStreamName(0);
  const jsm = await retryTransient(() => jetstreamManager(app), RETRY).catch((error: unknown) => {
    throw startFailure(`reach JetStream to check ${name0}`, replicas, error);
  });
  const first = await retryTransient(() => streamInfo(jsm, name0), RETRY).catch((error: unknown) => {
    throw startFailure(`read the room shard stream ${name0}`, replicas, error);
  });
  const existing = first ? shardCountOf(first) : undefined;
  if (first && existing === undefined) {
    throw new ConflictError(
      `Stream ${first.config.name} was not made by a RoomKey gateway (its description does not say its shard count): remove it or use another JetStream domain.`,
    );
  }
  if (options.shards !== undefined && existing !== undefined && options.shards !== existing) {
    throw new ConflictError(
      `This deployment keeps room history in ${existing} shard streams, but this gateway was started with ${options.shards}: start it with ${existing} (roomShards in roomkey.json, the gateway's shards option). The count is fixed when the deployment is made.`,
    );
  }
  const layout = new StreamLayout(options.shards ?? existing ?? DEFAULT_ROOM_SHARDS);
  const created = new Map<string, number>();
  const wantedOf = (name: string) => shardConfig(layout, layout.streams().indexOf(name), replicas);
  await Promise.all(
    layout.streams().map(async (name) => {
      const wanted = wantedOf(name);
      const info = name === name0 && first ? first : await createShard(jsm, wanted, created, options.log);
      checkShard(info, wanted, options.log);
    }),
  );
  // A first start at R3 waits ~5 s here: 2.9 may still take a just-created shard back.
  await keepCreated(
    created,
    async (name) => Boolean(await retryTransient(() => streamInfo(jsm, name), RETRY)),
    async (name) => {
      await createShard(jsm, wantedOf(name), new Map(), options.log);
    },
    { log: options.log },
  );
  return layout;
}

/** The configuration of shard stream `k` (see the top of this file). */
export function shardConfig(
  layout: StreamLayout,
  k: number,
  replicas: number,
): Partial<StreamConfig> & { name: string } {
  return {
    name: roomShardStreamName(k),
    description: `RoomKey room history, shard ${k} of ${layout.shards}`,
    subjects: layout.subjectsOf(k),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    num_replicas: replicas,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: -1,
    max_msg_size: MAX_ROOM_MESSAGE_BYTES,
    discard: DiscardPolicy.New,
    deny_delete: true,
    deny_purge: true,
    allow_rollup_hdrs: false,
    allow_direct: false,
  };
}

function shardCountOf(info: StreamInfo): number | undefined {
  const match = /, shard \d+ of (\d+)$/.exec(info.config.description ?? '');
  return match ? Number(match[1]) : undefined;
}

function checkShard(
  info: StreamInfo,
  wanted: ReturnType<typeof shardConfig>,
  log?: (line: string) => void,
): void {
  const same = (a: readonly string[] = [], b: readonly string[] = []) =>
    a.length === b.length && [...a].sort().every((s, i) => s === [...b].sort()[i]);
  if (info.config.description !== wanted.description || !same(info.config.subjects, wanted.subjects)) {
    throw new ConflictError(
      `Stream ${wanted.name} does not hold the subjects "${wanted.description}" needs: the deployment's shard streams were made for another layout. Start the gateway with the shard count the deployment was made with.`,
    );
  }
  if (!info.config.deny_delete || !info.config.deny_purge) {
    throw new ConflictError(
      `Stream ${wanted.name} allows deleting room history: set deny_delete and deny_purge on it.`,
    );
  }
  if (info.config.num_replicas !== wanted.num_replicas) {
    log?.(
      `${wanted.name} has ${info.config.num_replicas} replica(s), this gateway asks for ${wanted.num_replicas}: left as it is (change it with \`nats stream edit\`).`,
    );
  }
}

/**
 * Creates shard stream `wanted` unless it exists, retrying what a cluster that is still forming
 * answers (see jetstream-retry.ts); UnavailableError naming what to check when it never works.
 */
async function createShard(
  jsm: JetStreamManager,
  wanted: ReturnType<typeof shardConfig>,
  created: Map<string, number>,
  log?: (line: string) => void,
): Promise<StreamInfo> {
  let tried = false;
  try {
    const info = await retryTransient(
      async () => {
        const existing = await streamInfo(jsm, wanted.name);
        if (existing) return existing;
        tried = true;
        try {
          return await jsm.streams.add(wanted);
        } catch (error) {
          // Another gateway may have made it a moment ago: then it must match.
          const made = await streamInfo(jsm, wanted.name).catch(() => undefined);
          if (made) return made;
          throw error;
        }
      },
      {
        ...RETRY,
        onRetry: (error, attempt, delayMs) =>
          log?.(
            `creating ${wanted.name} failed (${(error as Error)?.message ?? error}); try ${attempt + 1} in ${delayMs} ms`,
          ),
      },
    );
    // Even one that a failed try left behind may still be taken back (keepCreated).
    // At R1 the one node that fails its store says so in the create's answer.
    if (tried && (wanted.num_replicas ?? 1) > 1) created.set(wanted.name, Date.now());
    return info;
  } catch (error) {
    throw startFailure(`create the room shard stream ${wanted.name}`, wanted.num_replicas ?? 1, error);
  }
}

/** What a start that could not make or read a shard stream says (a conflict stays a conflict). */
function startFailure(what: string, replicas: number, error: unknown): RoomKeyError {
  if (error instanceof RoomKeyError && error.code !== 'unavailable') return error;
  const cause = error instanceof UnavailableError && error.cause ? error.cause : error;
  return new UnavailableError(
    `The gateway could not ${what}: ${(cause as Error)?.message ?? cause}. Check that every nats-server of the cluster is running and routed to the others (\`/healthz?js-enabled-only=true\` on each), that JetStream has room for ${replicas} replica(s) (max_file_store, free disk), and the nats-server logs for why the store could not be made; then start the gateway again.`,
    { cause: error },
  );
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (/stream not found/i.test((error as Error)?.message ?? '')) return undefined;
    throw unavailable(`read the room shard stream ${name}`, error);
  }
}

function unavailable(what: string, error: unknown): UnavailableError {
  return new UnavailableError(`The gateway could not ${what}: ${(error as Error)?.message ?? error}`, {
    cause: error,
  });
}
