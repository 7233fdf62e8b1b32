// Sign-in on a 3-node cluster while the KV buckets it writes have no leader. A kill -9 of the node
// leading rk_login_handles leaves that bucket without one for the seconds 2.9 takes to elect
// another: the gateway used to answer "internal, try again later" and the log-in failed. Now the
// gateway says the server is recovering (an UnavailableError a person can act on) and the client
// tries the whole log-in again, a few times within a bound. With two nodes down there is no leader
// at all: the log-in fails, typed, with those words, after its bounded tries.
// Bound: one cluster start (≤ 60 s), one node kill and restart (≤ 40 s), ≤ 30 s of refused tries.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { credsAuthenticator, wsconnect } from '@nats-io/nats-core';
import { InternalError, UnavailableError } from '../../core/errors.ts';
import { stackPaths } from '../../gateway/data-dir.ts';
import { type ClusterStack, startClusterStack } from '../helpers/cluster-stack.ts';

let stack: ClusterStack;
before(async () => {
  stack = await startClusterStack();
  await stack.startGateway();
});
after(() => stack?.stop());

/** The index of the node leading `stream` in the gateway account. */
async function leaderOf(stream: string): Promise<number> {
  const admin = stack.track(
    await wsconnect({
      servers: stack.cluster.wsUrls(),
      authenticator: credsAuthenticator(readFileSync(stackPaths(stack.cluster.stack.dir).gatewayCreds)),
    }),
  );
  try {
    const leader = (await (await jetstreamManager(admin)).streams.info(stream)).cluster?.leader;
    const index = stack.cluster.nodes.findIndex((n) => n.name === leader);
    assert.ok(index >= 0, `${stream} has a leader (${leader})`);
    return index;
  } finally {
    await admin.close();
  }
}

test('a log-in right after the node leading its KV bucket is killed goes through once a leader is back', async () => {
  const { user, device } = await stack.registerUser();
  const victim = await leaderOf('KV_rk_login_handles');
  await stack.cluster.kill(victim);
  const started = Date.now();
  try {
    const signedIn = await stack.logInDevice(user, device);
    console.log(
      `log-in after a kill -9 of ${stack.cluster.nodes[victim]!.name} (leading rk_login_handles): through in ${Date.now() - started} ms`,
    );
    await signedIn.nc.close();
  } catch (error) {
    assert.fail(`the log-in failed ${Date.now() - started} ms after the kill: ${error}`);
  } finally {
    await stack.cluster.start(victim);
    await stack.cluster.waitHealthy();
  }
});

test('with no leader to be had, a log-in fails with "the server is recovering", not "internal"', async () => {
  const { user, device } = await stack.registerUser();
  await stack.cluster.kill(1);
  await stack.cluster.kill(2);
  const started = Date.now();
  const failure = await stack.logInDevice(user, device, [stack.cluster.nodes[0]!.wsUrl]).then(
    () => undefined,
    (error: unknown) => error,
  );
  const ms = Date.now() - started;
  console.log(`log-in with two nodes down: refused after ${ms} ms: ${(failure as Error)?.message}`);
  assert.ok(!(failure instanceof InternalError), `not internal: ${failure}`);
  assert.ok(failure instanceof UnavailableError, `typed: ${failure}`);
  assert.match(failure.message, /recovering|did not answer/);
  assert.ok(ms <= 30_000, `bounded (${ms} ms)`);
});
