/**
 * Keeps the app account JWT on the NATS servers in step with the revocation list in KV.
 * nats-server 2.9 accepts a new account JWT published by a system-account user on
 * $SYS.REQ.ACCOUNT.<account>.CLAIMS.UPDATE (answers "jwt updated"); it then refuses every revoked
 * user JWT and closes live connections that use one ("User Authentication Revoked").
 * With the `full` resolver (nats-config.ts) the server writes the JWT to disk before it answers,
 * so a restart keeps the list. A server still on a MEMORY resolver (a config from an older `init`)
 * forgets it on a restart: the gateway says so in its log at start, and pushes again whenever its
 * system connection reconnects and whenever any gateway changes the list.
 * In a cluster a node that was down during a push comes back with the older JWT from its own
 * directory (the full resolvers' own sync runs only every `interval`). Every server announces
 * itself on $SYS.SERVER.<id>.STATSZ as soon as its routes are up, and a started server has a new
 * id: on an id it has not seen, the publisher sends the last JWT again at once (no KV read), so
 * the node refuses revoked JWTs within a round trip of joining, and the update closes any
 * connection that got in before it.
 * @example const publisher = await startAccountPublisher({ sys, revocations, cutoffs, stack, log }); await publisher.push();
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { decode as decodeJwt } from '@nats-io/jwt';
import { Bucket, type KV, KvWatchInclude } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { decode } from '../core/codec.ts';
import { UnavailableError } from '../core/errors.ts';
import { v1 } from '../proto/index.ts';
import { encodeAppAccountJwt } from './accounts.ts';
import type { Stack } from './data-dir.ts';

/**
 * Revocation times are set this far ahead: a JWT another gateway issued a moment after the
 * revocation (before it saw it) is refused too. A revoked device never gets a new JWT anyway.
 */
export const REVOCATION_MARGIN_S = 300;

/** Every server publishes its stats here when it starts (then more slowly); a started server has a new id. */
const SERVER_STATS_SUBJECT = '$SYS.SERVER.*.STATSZ';
/** Re-sent once more this long after a server appears, in case the first reached it before its subscriptions. */
const RESEND_AFTER_MS = 1000;

/** Only the full resolver answers this (with the accounts it stores); MEMORY has no responder. */
const STORED_ACCOUNTS_SUBJECT = '$SYS.REQ.CLAIMS.LIST';

export interface AccountPublisher {
  /** Builds the account JWT from the current list and pushes it; resolves once the server took it. */
  push(): Promise<void>;
  /** Whether the server keeps pushed account JWTs across restarts (full resolver), as seen at start. */
  readonly persistent: boolean;
  /** The app account JWT last taken by the servers (for a launcher that restarts one: its preload). */
  latestJwt(): string | undefined;
  stop(): Promise<void>;
}

/**
 * Waits, if need be, until a JWT made now has a later `iat` than the preloaded one: on a restart
 * the full resolver lets a preload replace a stored JWT of the same second (it keeps the stored one
 * only when it is strictly newer), which would drop the revocations. Only ever waits in the first
 * second after `init`.
 */
async function afterPreloadSecond(preloadJwt: string): Promise<void> {
  const iatMs = Number(decodeJwt(preloadJwt).iat ?? 0) * 1000;
  const waitMs = iatMs + 1000 - Date.now();
  if (waitMs > 0) await sleep(waitMs + 5);
}

/** How long one listing of a bucket's keys may take before it is tried again. */
const LIST_ATTEMPT_MS = 1500;
const LIST_ATTEMPTS = 5;

/**
 * A bucket's keys (deleted ones too: the caller reads each). Asked of the stream's leader as the
 * subjects it holds (STREAM.INFO with a subject filter), not with `kv.keys()`: that makes an R1
 * consumer, and nats-server 2.9 keeps placing those on a cluster node that was killed until it
 * declares the node gone (minutes; about one in three here), where the listing never answers.
 * A KV that is not JetStream's own (none in the gateway) is listed with keys(), in short retried
 * tries: each new consumer is placed afresh. `filter`: a key filter such as `org.*` (default all).
 * @example const orgKeys = await listKeys(buckets.orgPolicies.kv, 'org.*');
 */
export async function listKeys(kv: KV, filter = '>'): Promise<string[]> {
  if (kv instanceof Bucket) {
    const prefix = `${kv.prefix}.`; // $KV.<bucket>.
    const info = await kv.jsm.streams.info(kv.stream, { subjects_filter: `${prefix}${filter}` });
    return Object.keys(info.state.subjects ?? {}).map((subject) =>
      kv.decodeKey(subject.slice(prefix.length)),
    );
  }
  for (let attempt = 1; ; attempt++) {
    const listing = (async () => {
      const keys: string[] = [];
      for await (const key of await kv.keys(filter)) keys.push(key);
      return keys;
    })();
    const keys = await Promise.race([listing, sleep(LIST_ATTEMPT_MS, undefined, { ref: false })]);
    if (keys) return keys;
    listing.catch(() => undefined); // given up on: its late failure is not news
    if (attempt >= LIST_ATTEMPTS) {
      throw new UnavailableError(
        `Could not list the revocations in KV (${LIST_ATTEMPTS} tries of ${LIST_ATTEMPT_MS} ms): is a JetStream majority up?`,
      );
    }
  }
}

/** Asks the server whether it runs a resolver that stores account JWTs (see STORED_ACCOUNTS_SUBJECT). */
async function storesAccountJwts(sys: NatsConnection): Promise<boolean> {
  try {
    await sys.request(STORED_ACCOUNTS_SUBJECT, '', { timeout: 2000 });
    return true;
  } catch {
    return false;
  }
}

export async function startAccountPublisher(input: {
  sys: NatsConnection;
  revocations: KV;
  /** JWT cutoffs of removed members' devices (jwt-cutoffs.ts): same list, no margin. */
  cutoffs: KV;
  stack: Stack;
  log: (line: string) => void;
}): Promise<AccountPublisher> {
  const { sys, revocations, cutoffs, stack, log } = input;
  const subject = `$SYS.REQ.ACCOUNT.${stack.public.appAccount.publicKey}.CLAIMS.UPDATE`;
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  let latest: string | undefined;

  const send = async (jwt: string) => {
    let answer: {
      data?: { code?: number; message?: string };
      error?: { code?: number; description?: string };
    };
    try {
      answer = (await sys.request(subject, jwt, { timeout: 5000 })).json();
    } catch (cause) {
      throw new UnavailableError(
        `The NATS server did not take the account update: ${(cause as Error).message}`,
        { cause },
      );
    }
    if (answer.data?.code !== 200) {
      throw new UnavailableError(
        `The NATS server refused the account update: ${JSON.stringify(answer.error ?? answer.data)}`,
      );
    }
  };

  const pushOnce = async () => {
    const list: Record<string, number> = {};
    const read = async (kv: KV, margin: number) => {
      for (const key of await listKeys(kv)) {
        const entry = await kv.get(key);
        if (entry?.operation !== 'PUT' || entry.value.length === 0) continue;
        const record = decode(v1.RevocationRecord, entry.value, 'revocation record');
        const at = Math.floor(Number(record.revokedAtMs) / 1000) + margin;
        list[key] = Math.max(list[key] ?? 0, at);
      }
    };
    await Promise.all([read(revocations, REVOCATION_MARGIN_S), read(cutoffs, 0)]);
    // An empty list is what the preload says anyway: only a list worth keeping needs a later iat.
    if (Object.keys(list).length > 0) await afterPreloadSecond(stack.public.appAccount.jwt);
    const jwt = await encodeAppAccountJwt(stack.secrets, stack.public.gatewayAccount.publicKey, list);
    await send(jwt);
    latest = jwt;
  };
  // Pushes run one after another, each reading the list afresh, so the last one wins with everything.
  const push = () => {
    const next = chain.then(pushOnce);
    chain = next.catch(() => undefined);
    return next;
  };
  // Background pushes (after a reconnect, or another gateway's change) retry for a while: right
  // after a server restart JetStream may need a moment before the list can be read.
  const pushLogged = async () => {
    for (let attempt = 1; attempt <= 10 && !stopped; attempt++) {
      try {
        await push();
        return;
      } catch (error) {
        log(`account update failed (attempt ${attempt}): ${(error as Error).message}`);
        await sleep(250 * attempt, undefined, { ref: false });
      }
    }
  };

  const watchers = await Promise.all(
    [revocations, cutoffs].map((kv) => kv.watch({ include: KvWatchInclude.UpdatesOnly })),
  );
  for (const watcher of watchers) {
    void (async () => {
      for await (const _ of watcher) {
        if (stopped) break;
        void pushLogged();
      }
    })();
  }
  // A server we have not seen (one that just started): send it what the others have, at once.
  const seen = new Set<string>();
  const stats = sys.subscribe(SERVER_STATS_SUBJECT);
  const resend = async (jwt: string) => {
    try {
      await send(jwt);
    } catch (error) {
      log(`account update for a started server failed: ${(error as Error).message}`);
    }
  };
  void (async () => {
    for await (const message of stats) {
      const id = message.subject.split('.')[2] ?? '';
      if (seen.has(id)) continue;
      seen.add(id);
      const jwt = latest;
      if (stopped || jwt === undefined) continue;
      void resend(jwt);
      setTimeout(() => stopped || void resend(latest ?? jwt), RESEND_AFTER_MS).unref();
    }
  })();
  void (async () => {
    for await (const status of sys.status()) {
      if (stopped) break;
      if (status.type === 'reconnect') void pushLogged();
    }
  })();
  await push();
  const persistent = await storesAccountJwts(sys);
  if (!persistent) {
    log(
      'WARNING: nats-server keeps account JWTs in memory only (resolver: MEMORY), so it forgets revocations when it restarts until this gateway pushes them again. Use the full resolver: restart nats-server with the nats-server.conf that `dev`/`start` rewrote in the data directory (or `resolver: { type: full, dir: ... }`).',
    );
  }
  return {
    push,
    persistent,
    latestJwt: () => latest,
    stop: async () => {
      stopped = true;
      stats.unsubscribe();
      for (const watcher of watchers) watcher.stop();
      await chain;
    },
  };
}
