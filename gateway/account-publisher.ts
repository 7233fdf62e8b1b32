/**
 * Keeps the app account JWT on the NATS servers in step with the revocation list in KV.
 * nats-server 2.9 accepts a new account JWT published by a system-account user on
 * $SYS.REQ.ACCOUNT.<account>.CLAIMS.UPDATE (answers "jwt updated"); it then refuses every revoked
 * user JWT and closes live connections that use one ("User Authentication Revoked").
 * With the `full` resolver (nats-config.ts) the server writes the JWT to disk before it answers,
 * so a restart keeps the list. A server still on a MEMORY resolver (a config from an older `init`)
 * forgets it on a restart: the gateway says so in its log at start, and pushes again whenever its
 * system connection reconnects and whenever any gateway changes the list.
 * @example const publisher = await startAccountPublisher({ sys, revocations, cutoffs, stack, log }); await publisher.push();
 */

import { setTimeout as sleep } from 'node:timers/promises';
import { decode as decodeJwt } from '@nats-io/jwt';
import { type KV, KvWatchInclude } from '@nats-io/kv';
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

/** Only the full resolver answers this (with the accounts it stores); MEMORY has no responder. */
const STORED_ACCOUNTS_SUBJECT = '$SYS.REQ.CLAIMS.LIST';

export interface AccountPublisher {
  /** Builds the account JWT from the current list and pushes it; resolves once the server took it. */
  push(): Promise<void>;
  /** Whether the server keeps pushed account JWTs across restarts (full resolver), as seen at start. */
  readonly persistent: boolean;
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

  const pushOnce = async () => {
    const list: Record<string, number> = {};
    const read = async (kv: KV, margin: number) => {
      for await (const key of await kv.keys()) {
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
    stop: async () => {
      stopped = true;
      for (const watcher of watchers) watcher.stop();
      await chain;
    },
  };
}
