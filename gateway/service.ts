/**
 * Serves gateway endpoints on NATS with one discipline for hostile input: size checked before
 * decoding, the caller identified from the server-asserted header, every failure answered with an
 * encoded v1.Reply{error} (sealed when the request gave a reply key), and the service keeps going.
 * Gateways subscribe in one queue group, so any number of them share the load.
 * @example const service = serve(nc, endpoints, { appAccount, log });
 */
import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { encode } from '../core/codec.ts';
import { ForbiddenError, RateLimitedError, RoomKeyError, TooLargeError } from '../core/errors.ts';
import { errorToReply, sealReply } from '../core/transport/index.ts';
import { v1 } from '../proto/index.ts';
import { type Caller, callerOf } from './client-info.ts';
import { asRecovering } from './jetstream-retry.ts';
import type { RequestObserver } from './metrics.ts';

export const QUEUE_GROUP = 'roomkey-gateway';

export interface Call {
  subject: string;
  caller: Caller;
  /** Set by a login endpoint as soon as it has read the request's reply key: the reply is sealed. */
  replyKey?: Uint8Array;
}

export interface Endpoint {
  subject: string;
  maxBytes: number;
  /** Returns the ok bytes; throws a typed error to refuse. */
  handle(data: Uint8Array, call: Call): Promise<Uint8Array>;
}

export interface ServeOptions {
  appAccount: string;
  log: (line: string) => void;
  /** Requests handled at once per gateway; beyond it callers are told to retry in a second. */
  maxInFlight?: number;
  /** Told of every answered request: endpoint subject, outcome ("ok", error code, "busy"), seconds. */
  observe?: RequestObserver;
}

export interface ServiceStats {
  /** Requests answered (ok or error) by this instance. */
  answered: number;
  /** Of those, answered with an error. */
  refused: number;
}

export interface Service {
  stats(): ServiceStats;
  stop(): Promise<void>;
}

export function serve(nc: NatsConnection, endpoints: Endpoint[], options: ServeOptions): Service {
  const maxInFlight = options.maxInFlight ?? 512;
  const counts: ServiceStats = { answered: 0, refused: 0 };
  let inFlight = 0;
  const running = new Set<Promise<void>>();
  const subs: Subscription[] = endpoints.map((endpoint) =>
    nc.subscribe(endpoint.subject, {
      queue: QUEUE_GROUP,
      callback: (error, msg) => {
        if (error) {
          options.log(`subscription ${endpoint.subject} failed: ${error.message}`);
          return;
        }
        if (!msg.reply) return; // a request without a reply subject cannot be answered
        const task = (async () => {
          inFlight++;
          try {
            const ok = await answer(endpoint, msg, inFlight > maxInFlight, options);
            counts.answered++;
            if (!ok) counts.refused++;
          } finally {
            inFlight--;
          }
        })();
        running.add(task);
        void task.finally(() => running.delete(task));
      },
    }),
  );
  return {
    stats: () => ({ ...counts }),
    stop: async () => {
      for (const sub of subs) sub.unsubscribe();
      await Promise.allSettled([...running]);
    },
  };
}

/** Answers one request; true if it succeeded. */
async function answer(endpoint: Endpoint, msg: Msg, busy: boolean, options: ServeOptions): Promise<boolean> {
  const call: Call = {
    subject: endpoint.subject,
    caller: { account: '', user: '', connection: '', host: '' },
  };
  let reply: Uint8Array;
  let ok = false;
  let outcome = 'ok';
  const started = performance.now();
  try {
    if (busy) throw new RateLimitedError(Date.now() + 1000, 'The gateway is busy: try again in a second.');
    call.caller = callerOf(msg);
    if (call.caller.account !== options.appAccount) {
      throw new ForbiddenError('This gateway serves the RoomKey app account only.');
    }
    const data = msg.data;
    if (data.length > endpoint.maxBytes) {
      throw new TooLargeError(
        `${endpoint.subject}: request of ${data.length} bytes is over the limit of ${endpoint.maxBytes}`,
      );
    }
    reply = encode(v1.Reply, { ok: await endpoint.handle(data, call) });
    ok = true;
  } catch (thrown) {
    // A KV or stream leader election answers "try again in a few seconds", not "internal".
    const error = asRecovering(thrown);
    if (!(thrown instanceof RoomKeyError) || thrown.code === 'internal') {
      options.log(`${endpoint.subject}: ${(thrown as Error)?.stack ?? thrown}`);
    }
    reply = encode(v1.Reply, { error: errorToReply(error) });
    outcome = busy ? 'busy' : error instanceof RoomKeyError ? error.code : 'internal';
  }
  if (call.replyKey) reply = encode(v1.Reply, { sealed: sealReply(call.replyKey, reply) });
  try {
    msg.respond(reply);
  } catch (error) {
    options.log(`${endpoint.subject}: could not reply: ${(error as Error).message}`);
  }
  options.observe?.request(endpoint.subject, outcome, (performance.now() - started) / 1000);
  return ok;
}
