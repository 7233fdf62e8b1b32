// core/client/runtime/config-fetch.ts: every host reads roomkey-config.json the same way, with one
// timeout and errors that say what to do; clientConfigFor gives every host the same settings.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deploymentConfigUrl } from '../../../core/client/config.ts';
import { Backoff } from '../../../core/client/runtime/backoff.ts';
import { clientConfigFor, fetchDeploymentConfig } from '../../../core/client/runtime/config-fetch.ts';
import {
  MAX_PINGS_OUT,
  PING_INTERVAL_MS,
  REQUEST_TIMEOUT_MS,
} from '../../../core/client/runtime/settings.ts';
import { MalformedError, UnavailableError } from '../../../core/errors.ts';

const URL_ = deploymentConfigUrl('https://rooms.example.test/base/');
const GOOD = { version: 1, natsWebSocketUrl: 'wss://nats.example.test', loginJwt: 'jwt' };

const answer =
  (body: unknown, status = 200, seen: RequestInit[] = []): typeof fetch =>
  async (_url, init) => {
    seen.push(init ?? {});
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
  };

describe('fetchDeploymentConfig', () => {
  it('reads and checks the config, never from a cache, without cookies', async () => {
    const seen: RequestInit[] = [];
    const cfg = await fetchDeploymentConfig(URL_, { fetch: answer(GOOD, 200, seen) });
    assert.deepEqual(cfg, GOOD);
    assert.equal(seen[0]?.cache, 'no-store');
    assert.equal(seen[0]?.credentials, 'omit');
    assert.ok(seen[0]?.signal, 'the request can time out');
  });

  it('unreachable, an HTTP error or no answer in time: UnavailableError saying what to do', async () => {
    const down: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    for (const fetchFn of [down, answer('nope', 503)]) {
      const error = await fetchDeploymentConfig(URL_, { fetch: fetchFn }).then(
        () => assert.fail('resolved'),
        (e: Error) => e,
      );
      assert.ok(error instanceof UnavailableError, error.message);
      assert.match(error.message, /Cannot reach the RoomKey gateway at https:\/\/rooms\.example\.test/);
      assert.match(error.message, /try again/i);
    }
    const silent: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    const started = Date.now();
    await assert.rejects(fetchDeploymentConfig(URL_, { fetch: silent, timeoutMs: 50 }), (e: Error) => {
      assert.ok(e instanceof UnavailableError);
      assert.match(e.message, /no answer within/);
      return true;
    });
    assert.ok(Date.now() - started < 2000);
  });

  it('not a RoomKey config: MalformedError naming the URL', async () => {
    for (const body of ['<html>', { version: 2, natsWebSocketUrl: 'x', loginJwt: 'j' }, { loginJwt: 'j' }]) {
      await assert.rejects(fetchDeploymentConfig(URL_, { fetch: answer(body) }), (e: Error) => {
        assert.ok(e instanceof MalformedError, e.message);
        assert.ok(e.message.includes(URL_), e.message);
        return true;
      });
    }
  });
});

describe('clientConfigFor', () => {
  it('one set of settings for every host: request timeout, pings, reconnect backoff', () => {
    const backoff = new Backoff();
    const config = clientConfigFor(GOOD as never, backoff);
    assert.equal(config.servers, GOOD.natsWebSocketUrl);
    assert.equal(config.loginJwt, 'jwt');
    assert.equal(config.requestTimeoutMs, REQUEST_TIMEOUT_MS);
    assert.equal(config.connectionOptions?.pingInterval, PING_INTERVAL_MS);
    assert.equal(config.connectionOptions?.maxPingOut, MAX_PINGS_OUT);
    assert.equal(config.connectionOptions?.reconnectDelayHandler, backoff.delay);
  });
});
