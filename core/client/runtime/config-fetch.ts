/**
 * The deployment's `roomkey-config.json`, read the same way by every host: one timeout, no
 * cookies, never a cached copy; UnavailableError when it cannot be read (network, timeout, an
 * HTTP error), MalformedError when it is not a RoomKey config. `clientConfigFor` turns it into
 * the ClientConfig every host connects with (request timeout, pings, reconnect backoff).
 * @example const config = clientConfigFor(await fetchDeploymentConfig(deploymentConfigUrl(gateway)), backoff);
 */
import { MalformedError, UnavailableError } from '../../errors.ts';
import { type ClientConfig, type DeploymentConfig, parseDeploymentConfig } from '../config.ts';
import type { Backoff } from './backoff.ts';
import { CONFIG_TIMEOUT_MS, MAX_PINGS_OUT, PING_INTERVAL_MS, REQUEST_TIMEOUT_MS } from './settings.ts';

export interface FetchConfigOptions {
  fetch?: typeof fetch;
  /** Default CONFIG_TIMEOUT_MS (tests pass a short one). */
  timeoutMs?: number;
}

/**
 * Reads and checks the deployment config at `configUrl` (see the top of this file).
 * @example const cfg = await fetchDeploymentConfig('https://rooms.example.com/roomkey-config.json');
 */
export async function fetchDeploymentConfig(
  configUrl: string,
  options: FetchConfigOptions = {},
): Promise<DeploymentConfig> {
  const fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? CONFIG_TIMEOUT_MS;
  const where = new URL(configUrl).origin;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let body: unknown;
  try {
    const response = await fetchFn(configUrl, {
      cache: 'no-store',
      credentials: 'omit',
      signal: controller.signal,
    });
    if (!response.ok)
      throw new UnavailableError(
        `Cannot reach the RoomKey gateway at ${where}: it answered ${response.status} for its configuration. Try again later, or check the gateway address.`,
      );
    body = await response.json();
  } catch (cause) {
    if (cause instanceof UnavailableError) throw cause;
    if (controller.signal.aborted)
      throw new UnavailableError(
        `Cannot reach the RoomKey gateway at ${where}: no answer within ${timeoutMs / 1000} s. Check your connection and try again.`,
        { cause },
      );
    if (cause instanceof SyntaxError)
      throw new MalformedError(
        `${configUrl} is not a RoomKey deployment config (not JSON): check the gateway address.`,
        { cause },
      );
    throw new UnavailableError(
      `Cannot reach the RoomKey gateway at ${where} (${(cause as Error)?.message ?? cause}): check your connection and try again.`,
      { cause },
    );
  } finally {
    clearTimeout(timer);
  }
  try {
    return parseDeploymentConfig(body);
  } catch (cause) {
    throw new MalformedError(
      `${configUrl} is not a RoomKey deployment config (${(cause as Error).message}): check the gateway address, or update RoomKey.`,
      { cause },
    );
  }
}

/**
 * The ClientConfig a host connects with: the deployment's servers and login JWT, the one request
 * timeout, pings, and reconnect waits from `backoff` (call `backoff.online()` once connected).
 * @example const sdk = await RoomKeySession.resume({ config: clientConfigFor(cfg, backoff), backend, password });
 */
export function clientConfigFor(deployment: DeploymentConfig, backoff?: Backoff): ClientConfig {
  return {
    servers: deployment.natsWebSocketUrl,
    loginJwt: deployment.loginJwt,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    connectionOptions: {
      pingInterval: PING_INTERVAL_MS,
      maxPingOut: MAX_PINGS_OUT,
      ...(backoff ? { reconnectDelayHandler: backoff.delay } : {}),
    },
  };
}
